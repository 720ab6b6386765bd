package main

import (
	"context"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/browsertest"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

// The staff's day on the hub as a new user runs it, without credentials: a publisher
// logs in to the editor, writes a live announcement, and watches it reach Telegram,
// YouTube and the web page — the local sandboxes, which every editor page says — then
// edits and retracts it. (It lives here, in the composition root, because it runs every
// service; the editor's own tests use an in-process channel.)
func TestBrowserWithTheChannelSandboxes(t *testing.T) {
	addrs := serviceAddrs(t)
	addrs["EDITOR_WEB_BASE_URL"] = addrs["WEB_BASE_URL"]
	// Should a Bot API call hang, the worker retries it after this rather than after the
	// default 30 s, within the test's patience.
	addrs["TELEGRAM_REQUEST_TIMEOUT"] = "3s"
	addrs["TELEGRAM_SANDBOX"], addrs["YOUTUBE_SANDBOX"] = "1", "1" // no credentials: the local sandboxes
	dataDir, natsAddr := t.TempDir(), freePort(t)
	cfg, err := loadConfig([]string{"-data", dataDir, "-nats-listen", natsAddr, "-admin", "", "-log-format", "json"},
		func(k string) string { return addrs[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &testenv.Logs{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the hub did not stop")
		}
		if t.Failed() || os.Getenv("HUB_TEST_LOGS") != "" {
			t.Logf("hub log:\n%s", logs.String())
		}
	})
	natstest.WaitFor(t, 60*time.Second, "hub ready", func() bool {
		select {
		case err := <-done:
			done <- err // for the cleanup
			t.Fatalf("the hub stopped: %v", err)
		default:
		}
		return strings.Contains(logs.String(), "hub ready")
	})

	// The first account, as "editor user add" makes it: on the bus, with the hub's key.
	conn, _ := connect(t, natsAddr, dataDir)
	staffCfg := staff.DefaultConfig()
	staffCfg.SecretKeyFile = Config{DataDir: dataDir}.editorSecretKey() // as the CLI finds it
	acc, _, err := staff.OpenAccounts(context.Background(), staffCfg, conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	const password = "correct horse battery"
	na, err := acc.AddUser(context.Background(), "anna", accounts.Publisher, password, "test")
	if err != nil {
		t.Fatal(err)
	}
	uri, _ := url.Parse(na.URI)
	code, err := accounts.Code(uri.Query().Get("secret"), time.Now())
	if err != nil {
		t.Fatal(err)
	}

	bctx := browsertest.New(t, chromedp.WindowSize(1280, 900))
	bctx, stop := context.WithTimeout(bctx, 120*time.Second)
	defer stop()
	if err := chromedp.Listen(bctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok { // Retract asks first
			go func() {
				_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			text, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
			t.Fatalf("%s: %v\npage: %s", what, err, text)
		}
	}
	// waitJS polls expr until it is true; a poll cut short by a navigation (the page
	// reloads after an action) is started again.
	waitJS := func(what, expr string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		var err error
		for time.Now().Before(deadline) {
			if _, err = chromedp.Run(bctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInterval(50*time.Millisecond))); err == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		must(what, err)
	}
	allState := func(state string) string {
		return `(() => { const cells = ['telegram', 'youtube', 'web'].map(c => document.querySelector('[data-cell="roda.' + c + '"]')); return cells.every(c => c && c.textContent.includes('` + state + `')); })()`
	}
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	// YouTube checks the live start against the real clock: two days from now.
	start := time.Now().Add(48 * time.Hour).In(madrid).Format("2006-01-02T15:04")

	must("log in and write", chromedp.Do(bctx,
		chromedp.Navigate("http://"+addrs["EDITOR_ADDR"]+"/compose"),
		chromedp.WaitVisible(css("#login")),
		chromedp.SendKeys(css("#name"), "anna"),
		chromedp.SendKeys(css("#password"), password),
		chromedp.SendKeys(css("#code"), code),
		chromedp.Click(css("#login")),
		chromedp.WaitVisible(css("#compose")),
		chromedp.SendKeys(css("#f-id"), "roda"),
		chromedp.SendKeys(css("#f-title"), "Roda de premsa del paer en cap"),
		chromedp.Click(css(`input[name="channels"][value="youtube"]`)),
		chromedp.SendKeys(css("#f-body"), "El paer en cap compareix a les **12 h**."),
	))
	_, err = chromedp.Run(bctx, chromedp.Evaluate[bool](`(el => { el.value = '`+start+`'; el.dispatchEvent(new Event('input', {bubbles: true})); return true })(document.querySelector('#f-live_start'))`))
	must("set the live start", err)
	waitJS("the YouTube preview", `document.querySelector('#preview-youtube').textContent.includes('Live broadcast: Roda de premsa del paer en cap')`)
	must("publish", chromedp.Do(bctx, chromedp.Click(css("#publish")), chromedp.WaitVisible(css("#channels"))))
	waitJS("delivered on Telegram, YouTube and the web", allState("delivered"))

	// The channels delivered to their sandboxes and said so: every page names them.
	must("reload", chromedp.Do(bctx, chromedp.Reload(), chromedp.WaitVisible(css("#channels"))))
	banner, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(b => b ? b.textContent : '')(document.querySelector('#sandbox'))`))
	must("read the banner", err)
	if !strings.Contains(banner, "Sandbox — nothing reaches the real channel") || !strings.Contains(banner, "telegram") || !strings.Contains(banner, "youtube") {
		t.Errorf("the bulletin's page says %q; want the sandbox banner naming telegram and youtube", banner)
	}

	must("edit", chromedp.Do(bctx, chromedp.Click(css("#edit")), chromedp.WaitVisible(css("#compose"))))
	_, err = chromedp.Run(bctx, chromedp.Evaluate[bool](`(b => { b.focus(); b.setSelectionRange(b.value.length, b.value.length); return true })(document.querySelector('#f-body'))`))
	must("go to the end", err)
	must("publish the edit", chromedp.Do(bctx,
		chromedp.SendKeys(css("#f-body"), " A la Sala de Plens."),
		chromedp.Click(css("#publish")),
		chromedp.WaitVisible(css("#channels")),
	))
	waitJS("revision 2 delivered everywhere", `document.querySelector('#channels').dataset.rev === '2' && `+allState("delivered"))

	must("retract", chromedp.Do(bctx, chromedp.Click(css("#retract"))))
	waitJS("retracted everywhere", `document.querySelector('#channels') && document.querySelector('#channels').dataset.rev === '3' && `+allState("retracted"))
}
