package staff_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// tab is a logged-in Chromium tab on the editor, with the checks the tests make.
type tab struct {
	t   *testing.T
	ctx context.Context
	mu  sync.Mutex
	exc []string // script exceptions
}

// chromeAs logs name in (password and TOTP) in a fresh headless Chromium.
func chromeAs(t *testing.T, e *env, name string, role accounts.Role) *tab {
	t.Helper()
	secret := e.user(name, role)
	ctx, cancel := context.WithTimeout(headless(t), 120*time.Second)
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*runtime.EventExceptionThrown); ok {
			tb.mu.Lock()
			tb.exc = append(tb.exc, ev.ExceptionDetails.Text)
			tb.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	tb.must("log in", chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.SendKeys(chromedp.CSS("#code"), e.code(secret)),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	))
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		if len(tb.exc) > 0 {
			t.Errorf("script exceptions: %v", tb.exc)
		}
	})
	return tb
}

func (tb *tab) must(what string, err error) {
	tb.t.Helper()
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// waitJS waits (generously: the machine may be busy) until expr is true on the page,
// polling again after a navigation.
func (tb *tab) waitJS(what, expr string) {
	tb.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var err error
	for {
		_, err = chromedp.Run(tb.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil || time.Now().After(deadline) || tb.ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		page, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.querySelector('main') ? document.querySelector('main').innerText : document.body.innerText`))
		tb.t.Fatalf("%s: %v\npage: %s", what, err, page)
	}
}

func (tb *tab) eval(what, expr string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](expr))
	tb.must(what, err)
	return s
}

// After a channel refuses two bulletins, every page says so in the member's words,
// with Retry only where trying again can help; pressing it tries again, and the
// attempt count on the bulletin's page follows.
func TestBrowserNeedsAttentionAndRetry(t *testing.T) {
	e := newEnv(t)
	e.background()
	tg := e.refusing("telegram")
	tg.set("ple", delivery.PermanentBecause(delivery.ReasonTooLong, errors.New("telegram: send: Bad Request: message is too long")))
	tg.set("avis", delivery.PermanentBecause(delivery.ReasonRights, errors.New("telegram: send: Forbidden: bot is not a member of the channel chat")))
	tb := chromeAs(t, e, "anna", accounts.Publisher)

	e.publish("ple", "Ple municipal", bulletin.Telegram)
	e.publish("avis", "Avís de talls", bulletin.Telegram)
	e.waitState("ple", bulletin.Telegram, delivery.Dead)
	e.waitState("avis", bulletin.Telegram, delivery.Dead)

	// In Catalan, the council's language: the switch is on every page.
	tb.must("switch to Catalan", chromedp.Do(tb.ctx, chromedp.Navigate(e.srv.URL+"/"), chromedp.Click(chromedp.CSS(`.langs button[value="ca"]`)), chromedp.WaitVisible(chromedp.CSS("#attention"))))
	panel := `document.querySelector('#attention')`
	tb.waitJS("the panel in Catalan", panel+`.innerText.includes('Cal la vostra atenció')`)
	tb.waitJS("the too-long reason in words", `document.querySelector('[data-trouble="ple.telegram"]').innerText.includes('El text és massa llarg per al canal: escurceu-lo i torneu a publicar.')`)
	tb.waitJS("the rights reason in words", `document.querySelector('[data-trouble="avis.telegram"]').innerText.includes("El bot no té permís per publicar al canal")`)
	if got := tb.eval("retry for ple", `String(!!document.querySelector('[data-trouble="ple.telegram"] button.retry'))`); got != "false" {
		t.Error("Retry offered for a text too long, which only an edit fixes")
	}
	if got := tb.eval("edit for ple", `(document.querySelector('[data-trouble="ple.telegram"] a.button')||{}).pathname || ''`); got != "/bulletins/ple/edit" {
		t.Errorf("the too-long entry links %q, want the bulletin's edit", got)
	}

	// The bulletin's page: one attempt so far.
	tb.must("open the bulletin", chromedp.Do(tb.ctx, chromedp.Navigate(e.srv.URL+"/bulletins/avis"), chromedp.WaitVisible(chromedp.CSS("#channels"))))
	if n := tb.eval("attempts", `document.querySelector('#channels td.attempts').firstChild.textContent.trim()`); n != "1" {
		t.Fatalf("attempts before Retry: %q", n)
	}
	// The bot is given its rights; Retry from the panel.
	tg.set("avis", nil)
	tb.must("retry", chromedp.Do(tb.ctx, chromedp.Click(chromedp.CSS(`[data-trouble="avis.telegram"] button.retry`))))
	tb.waitJS("the bulletin's page after Retry", `location.pathname === '/bulletins/avis' && !!document.querySelector('#channels')`)
	tb.waitJS("the second attempt delivered", `document.querySelector('#channels td.attempts').firstChild.textContent.trim() === '2' && document.querySelector('[data-cell="avis.telegram"]').className.includes('s-delivered')`)
	tb.waitJS("the panel lets it go", `!document.querySelector('[data-trouble="avis.telegram"]') && !!document.querySelector('[data-trouble="ple.telegram"]')`)
}
