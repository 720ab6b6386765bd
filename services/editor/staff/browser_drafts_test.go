package staff_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
)

// In a real browser: two writers' drafts of one bulletin are both kept; the second is
// told the first is editing and takes her draft over; the draft marked ready for
// review is at the top of a publisher's list, who publishes it as written by its
// author; then an edit published over a newer revision gets the conflict page, whose
// columns stack on a phone, and "publish mine over it" goes through.
func TestBrowserDraftsReviewAndConflict(t *testing.T) {
	e := newEnv(t)
	e.channels("web")
	ctx0 := context.Background()
	e.publishAs("marta", confinament("Quedeu-vos a casa."), desk.Intent{New: true})
	secrets := map[string]string{"núria": e.user("núria", accounts.Writer), "pau": e.user("pau", accounts.Writer), "anna": e.user("anna", accounts.Publisher)}

	ctx, cancel := context.WithTimeout(headless(t), 120*time.Second)
	defer cancel()
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok { // "publish now?"
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			main, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
			t.Fatalf("%s: %v\npage: %s", what, err, main)
		}
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		must("text of "+sel, err)
		return s
	}
	// waitJS waits for expr to hold, polling again after a navigation.
	waitJS := func(what, expr string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				must(what, fmt.Errorf("still not true after 20 s: %s (%v)", expr, err))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	login := func(name string) {
		t.Helper()
		must("log in as "+name, chromedp.Do(ctx,
			chromedp.Navigate(e.srv.URL+"/login"),
			chromedp.WaitVisible(css("#login")),
			chromedp.SetValue(css("#name"), name),
			chromedp.SetValue(css("#password"), password),
			chromedp.SetValue(css("#code"), e.code(secrets[name])),
			chromedp.Click(css("#login")),
			chromedp.WaitVisible(css("form.who")),
		))
	}
	nextMember := func() {
		t.Helper()
		// The next member logs in on a browser without the last one's cookie: logging out
		// is not what this test is about.
		_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
		must("forget the session", err)
	}

	// Núria saves her draft of the bulletin and marks it ready for review.
	login("núria")
	must("núria's draft", chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/bulletins/confinament/edit"),
		chromedp.WaitVisible(css("#compose")),
		chromedp.SetValue(css("#f-body"), "La versió de la Núria."),
		chromedp.Click(css("#save-draft")),
		chromedp.WaitVisible(css("#ready")),
		chromedp.Click(css("#ready")),
		chromedp.WaitVisible(css("#is-ready")),
	))
	nextMember()

	// Pau opens it too: told Núria is editing it, he takes her draft over and saves his.
	login("pau")
	must("pau opens the bulletin", chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/bulletins/confinament/edit"),
		chromedp.WaitVisible(css("#editing")),
	))
	if s := text("#editing"); !strings.Contains(s, "núria is editing this bulletin (draft saved") || !strings.Contains(s, "Take over") {
		t.Errorf("the is-editing notice: %q", s)
	}
	must("take over", chromedp.Do(ctx, chromedp.Click(css("#editing .take-over"))))
	// His own draft opens, a copy of hers (the edit page had a form too: wait for it).
	waitJS("pau's form to hold núria's draft", `location.pathname === '/drafts/confinament/`+desk.AuthorKey("pau")+`' && document.querySelector('#f-body').value === 'La versió de la Núria.'`)
	must("pau's draft", chromedp.Do(ctx,
		chromedp.SetValue(css("#f-body"), "La versió de la Núria, i la del Pau."),
		chromedp.Click(css("#save-draft")),
	))
	waitJS("pau's draft saved", `!!document.querySelector('p.notice') && document.querySelector('p.notice').textContent.includes('Draft saved')`)
	got := map[string]string{}
	drafts, err := e.svc.Desk.DraftsOf(ctx0, "confinament")
	must("drafts", err)
	for _, d := range drafts {
		got[d.Author] = d.Fields.Body
	}
	if len(got) != 2 || got["núria"] != "La versió de la Núria." || got["pau"] != "La versió de la Núria, i la del Pau." {
		t.Errorf("both drafts kept: %q", got)
	}
	nextMember()

	// Anna sees Núria's draft for review at the top of her list and publishes it.
	login("anna")
	must("the list", chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(css("#review"))))
	if s := text("#review"); !strings.Contains(s, "Confinament a Lleida") || !strings.Contains(s, "núria") {
		t.Errorf("for review: %q", s)
	}
	must("publish núria's draft", chromedp.Do(ctx,
		chromedp.Click(css("#review a")),
		chromedp.WaitVisible(css("#compose")),
		chromedp.Click(css("#publish")),
		chromedp.WaitVisible(css("#writer")),
	))
	if s := text("#writer"); s != "written by núria, published by anna" {
		t.Errorf("the bulletin names %q", s)
	}

	// Anna edits revision 2 while Marta publishes revision 3: the conflict page.
	must("edit", chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/bulletins/confinament/edit"),
		chromedp.WaitVisible(css("#compose")),
		chromedp.SetValue(css("#f-body"), "La versió de l'Anna."),
	))
	e.publishAs("marta", confinament("Els mercats obren de 8 a 14."), desk.Intent{BaseRev: 2})
	must("publish over it", chromedp.Do(ctx, chromedp.Click(css("#publish")), chromedp.WaitVisible(css("#conflict"))))
	if s := text("#current"); !strings.Contains(s, "Els mercats obren de 8 a 14.") || !strings.Contains(s, "revision 3") {
		t.Errorf("current side: %q", s)
	}
	if s := text("#mine"); !strings.Contains(s, "La versió de l'Anna.") {
		t.Errorf("her side: %q", s)
	}
	sideBySide := `(() => { const c = document.querySelector('#current').getBoundingClientRect(), m = document.querySelector('#mine').getBoundingClientRect(); return c.top === m.top && c.right <= m.left })()`
	stacked := `(() => { const c = document.querySelector('#current').getBoundingClientRect(), m = document.querySelector('#mine').getBoundingClientRect(); return c.bottom <= m.top && m.right <= 390 && document.documentElement.scrollWidth <= 390 })()`
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](sideBySide)); err != nil || !ok {
		t.Errorf("on a wide screen the versions are not side by side (%v)", err)
	}
	must("a phone", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](stacked)); err != nil || !ok {
		t.Errorf("on a 390 px phone the versions do not stack (%v)", err)
	}
	must("publish mine", chromedp.Do(ctx,
		chromedp.Click(css("#publish-mine")),
		chromedp.WaitVisible(css("#channels")),
	))
	latest, err := e.svc.Desk.Latest(ctx0, "confinament")
	must("latest", err)
	if latest.Rev != 4 || latest.Bulletin.Body != "La versió de l'Anna." || latest.Author != "anna" {
		t.Errorf("published over it: rev %d by %s: %q", latest.Rev, latest.Author, latest.Bulletin.Body)
	}
}
