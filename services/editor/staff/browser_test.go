package staff_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/shared/browsertest"
)

// headless starts a headless Chromium for the test and returns a tab's context. The
// editor is served over TLS with a test certificate, as behind the council's proxy, so
// the browser's rules for __Host- cookies apply for real.
func headless(t *testing.T) context.Context {
	t.Helper()
	return browsertest.New(t,
		chromedp.Flag("ignore-certificate-errors", true), // httptest's certificate
		chromedp.WindowSize(1280, 900))
}

// A publisher logs in with password and TOTP, writes a bulletin while the previews and
// checks follow her typing, publishes it, watches every channel turn delivered without
// reloading, edits it and retracts it.
func TestBrowserLoginWritePreviewPublishEditRetract(t *testing.T) {
	e := newEnv(t)
	chans := e.channels("telegram", "web")
	secret := e.user("anna", accounts.Publisher)

	ctx := headless(t)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	var mu sync.Mutex
	var exceptions []string
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening: // the "are you sure?" of Retract
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		case *runtime.EventExceptionThrown:
			mu.Lock()
			exceptions = append(exceptions, ev.ExceptionDetails.Text)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	waitJS := func(what, expr string) {
		t.Helper()
		// A poll does not survive a navigation; poll again on the new page.
		deadline := time.Now().Add(20 * time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
		for err != nil && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			_, err = chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInterval(50*time.Millisecond)))
		}
		if err != nil {
			html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('main').innerText + ' | id=' + (document.querySelector('#f-id')||{}).value`))
			t.Fatalf("%s: %v\npage: %s", what, err, html)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must("text of "+sel, err)
		return s
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// Any page sends her to the login; both factors let her in.
	must("open the editor", chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/compose"),
		chromedp.WaitVisible(css("#login")),
		chromedp.SendKeys(css("#name"), "anna"),
		chromedp.SendKeys(css("#password"), password),
		chromedp.SendKeys(css("#code"), e.code(secret)),
		chromedp.Click(css("#login")),
		chromedp.WaitVisible(css("#compose")),
	))

	// Typing: a bad id is flagged at once, with the same words a publish would use.
	must("type", chromedp.Do(ctx,
		chromedp.SendKeys(css("#f-id"), "Confinament"),
		chromedp.SendKeys(css("#f-title"), "Confinament a Lleida"),
	))
	waitJS("the id problem to show", `document.querySelector('.ferr[data-for="id"]').textContent.includes('not a valid id')`)
	_, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#f-id').value = ''`))
	must("clear the id", err)
	must("fix the id and write", chromedp.Do(ctx,
		chromedp.SendKeys(css("#f-id"), "confinament"),
		chromedp.SendKeys(css("#f-body"), "Quedeu-vos a **casa**.\n\n<script>alert(1)</script>"),
	))
	waitJS("the id problem to clear", `document.querySelector('.ferr[data-for="id"]').textContent === ''`)
	waitJS("the web preview", `!!document.querySelector('#preview-web strong') && document.querySelector('#preview-web').textContent.includes('casa')`)
	waitJS("the telegram preview", `[...document.querySelectorAll('#preview-telegram .tg-msg b')].some(b => b.textContent === 'Confinament a Lleida')`)
	if web := text("#preview-web"); !strings.Contains(web, "<script>alert(1)</script>") {
		t.Errorf("typed HTML is not shown as text in the web preview: %q", web)
	}

	// Publish, then watch both channels turn delivered on the page, without a reload.
	must("publish", chromedp.Do(ctx,
		chromedp.Click(css("#publish")),
		chromedp.WaitVisible(css("#channels")),
	))
	_, err = chromedp.Run(ctx, chromedp.Evaluate[int](`window.__samePage = 7`))
	must("mark the page", err)
	waitJS("telegram delivered", `document.querySelector('[data-cell="confinament.telegram"]').textContent.includes('delivered')`)
	waitJS("web delivered", `document.querySelector('[data-cell="confinament.web"]').textContent.includes('delivered')`)
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`window.__samePage || 0`)); n != 7 {
		t.Error("the page reloaded instead of updating live")
	}

	// Edit.
	must("edit", chromedp.Do(ctx,
		chromedp.Click(css("#edit")),
		chromedp.WaitVisible(css("#compose")),
	))
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(b => { b.focus(); b.setSelectionRange(b.value.length, b.value.length); return true })(document.querySelector('#f-body'))`))
	must("go to the end of the text", err)
	must("add a line", chromedp.Do(ctx, chromedp.SendKeys(css("#f-body"), "\n\nFins a nou avís.")))
	waitJS("the preview of the edit", `document.querySelector('#preview-web').textContent.includes('Fins a nou avís')`)
	must("publish the edit", chromedp.Do(ctx,
		chromedp.Click(css("#publish")),
		chromedp.WaitVisible(css("#channels")),
	))
	waitJS("revision 2 delivered", `document.querySelector('#channels').dataset.rev === '2' && document.querySelector('[data-cell="confinament.telegram"]').textContent.includes('delivered') && document.querySelector('[data-cell="confinament.web"]').textContent.includes('delivered')`)
	if h := text("details.rev summary"); !strings.Contains(h, "Revision 2: edit by anna") {
		t.Errorf("history: %q", h)
	}
	if got := chans["telegram"].showing("confinament"); got != "confinament@2" {
		t.Errorf("telegram shows %q", got)
	}

	// Retract (the page asks first).
	must("retract", chromedp.Do(ctx, chromedp.Click(css("#retract"))))
	waitJS("both retracted", `document.querySelector('#channels') && document.querySelector('#channels').dataset.rev === '3' && document.querySelector('[data-cell="confinament.telegram"]').textContent.includes('retracted') && document.querySelector('[data-cell="confinament.web"]').textContent.includes('retracted')`)
	if chans["web"].showing("confinament") != "" {
		t.Error("the web channel still shows the bulletin")
	}

	// The list shows where it stands on each channel.
	must("the list", chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(css("#bulletins"))))
	if row := text("#bulletins"); !strings.Contains(row, "Confinament a Lleida") || !strings.Contains(row, "telegram: retracted") {
		t.Errorf("list: %q", row)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(exceptions) > 0 {
		t.Errorf("JavaScript exceptions: %q", exceptions)
	}
}
