package staff_test

import (
	"context"
	"errors"
	"github.com/paeria/pregoner/shared/testenv"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/services/youtube/live"
)

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// sandboxes runs the real Telegram, YouTube and web services on the test's bus, as the
// hub does without credentials: Telegram and YouTube deliver to their local sandboxes.
func (e *env) sandboxes() {
	e.t.Helper()
	webAddr := freeAddr(e.t)
	vars := map[string]string{
		"WEB_ADDR": webAddr, "WEB_BASE_URL": "http://" + webAddr,
		"TELEGRAM_SANDBOX_ADDR": freeAddr(e.t), "YOUTUBE_SANDBOX_ADDR": freeAddr(e.t),
		// Should a Bot API call hang, the worker retries it after this rather than
		// after the default 30 s, within the test's patience. (Two early runs saw
		// Telegram's first delivery stay in flight for 45 s; not seen since.)
		"TELEGRAM_REQUEST_TIMEOUT": "3s",
	}
	getenv := func(k string) string { return vars[k] }
	conn := e.nats.Connect("channels")
	type runner interface{ Run(context.Context) error }
	var svcs []runner
	tgCfg, err := poster.LoadConfig(getenv)
	if err != nil {
		e.t.Fatal(err)
	}
	logs := &testenv.Logs{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.t.Cleanup(func() {
		if e.t.Failed() || os.Getenv("EDITOR_TEST_LOGS") != "" {
			e.t.Logf("channel services' log:\n%s", logs.String())
		}
	})
	tg, err := poster.NewService(tgCfg, conn.JS, log)
	if err != nil {
		e.t.Fatal(err)
	}
	ytCfg, err := live.LoadConfig(getenv)
	if err != nil {
		e.t.Fatal(err)
	}
	yt, err := live.NewService(ytCfg, conn.JS, log)
	if err != nil {
		e.t.Fatal(err)
	}
	webCfg, err := site.LoadConfig(getenv)
	if err != nil {
		e.t.Fatal(err)
	}
	ws, err := site.NewService(webCfg, conn.JS, log)
	if err != nil {
		e.t.Fatal(err)
	}
	svcs = append(svcs, tg, yt, ws)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, s := range svcs {
		wg.Go(func() {
			if err := s.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				e.t.Errorf("channel service: %v", err)
			}
		})
	}
	e.t.Cleanup(func() { cancel(); wg.Wait() })
}

// The same as the staff's day with the real channel services and their sandboxes: a
// live announcement goes to Telegram, YouTube and the web page, is edited and retracted.
func TestBrowserWithTheChannelSandboxes(t *testing.T) {
	e := newEnv(t)
	e.sandboxes()
	secret := e.user("anna", accounts.Publisher)
	ctx := headless(t)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok { // Retract asks first
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('main') ? document.querySelector('main').innerText : ''`))
			t.Fatalf("%s: %v\npage: %s", what, err, text)
		}
	}
	waitJS := func(what, expr string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		var err error
		for time.Now().Before(deadline) {
			if _, err = chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInterval(50*time.Millisecond))); err == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		must(what, err)
	}
	allState := func(state string) string {
		return `(() => { const cells = ['telegram', 'youtube', 'web'].map(c => document.querySelector('[data-cell="roda.' + c + '"]')); return cells.every(c => c && c.textContent.includes('` + state + `')); })()`
	}
	// YouTube checks the live start against the real clock: two days from now.
	start := time.Now().Add(48 * time.Hour).In(mustLoc(t)).Format("2006-01-02T15:04")

	must("log in and write", chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/compose"),
		chromedp.WaitVisible(css("#login")),
		chromedp.SendKeys(css("#name"), "anna"),
		chromedp.SendKeys(css("#password"), password),
		chromedp.SendKeys(css("#code"), e.code(secret)),
		chromedp.Click(css("#login")),
		chromedp.WaitVisible(css("#compose")),
		chromedp.SendKeys(css("#f-id"), "roda"),
		chromedp.SendKeys(css("#f-title"), "Roda de premsa del paer en cap"),
		chromedp.Click(css(`input[name="channels"][value="youtube"]`)),
		chromedp.SendKeys(css("#f-body"), "El paer en cap compareix a les **12 h**."),
	))
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(el => { el.value = '`+start+`'; el.dispatchEvent(new Event('input', {bubbles: true})); return true })(document.querySelector('#f-live_start'))`))
	must("set the live start", err)
	waitJS("the YouTube preview", `document.querySelector('#preview-youtube').textContent.includes('Live broadcast: Roda de premsa del paer en cap')`)
	must("publish", chromedp.Do(ctx, chromedp.Click(css("#publish")), chromedp.WaitVisible(css("#channels"))))
	waitJS("delivered on Telegram, YouTube and the web", allState("delivered"))

	must("edit", chromedp.Do(ctx, chromedp.Click(css("#edit")), chromedp.WaitVisible(css("#compose"))))
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(b => { b.focus(); b.setSelectionRange(b.value.length, b.value.length); return true })(document.querySelector('#f-body'))`))
	must("go to the end", err)
	must("publish the edit", chromedp.Do(ctx,
		chromedp.SendKeys(css("#f-body"), " A la Sala de Plens."),
		chromedp.Click(css("#publish")),
		chromedp.WaitVisible(css("#channels")),
	))
	waitJS("revision 2 delivered everywhere", `document.querySelector('#channels').dataset.rev === '2' && `+allState("delivered"))

	must("retract", chromedp.Do(ctx, chromedp.Click(css("#retract"))))
	waitJS("retracted everywhere", `document.querySelector('#channels') && document.querySelector('#channels').dataset.rev === '3' && `+allState("retracted"))
}
