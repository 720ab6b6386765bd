package staff_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/browsertest"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// tour is an editor with the screens staff see most, filled as on a working day, and a
// Chromium tab of the given size that created its first administrator through the
// first-run link: the phone test and the screenshots walk it.
type tour struct {
	t     *testing.T
	e     *env
	ctx   context.Context
	mu    sync.Mutex
	exc   []string
	shot  func(tr *tour, name string) // called on each screen worth a picture; nil: none
	width int64
}

const (
	tourDead    = "2020-03-20-mercats"
	tourEdited  = "2020-03-14-confinament"
	tourRetract = "2020-03-16-biblioteques"
)

// newTour starts the editor with no account, opens the first-run link it logs in a
// Chromium of width×height speaking lang, and creates the administrator núria there.
func newTour(t *testing.T, width, height int64, mobile bool, lang string, shot func(*tour, string)) *tour {
	t.Helper()
	e := newEnv(t)
	e.background()
	m := firstRunRE.FindStringSubmatch(e.serveLogged().String())
	if m == nil {
		t.Fatal("no first-run link in the log")
	}
	ctx, cancel := context.WithTimeout(browsertest.New(t, chromedp.Flag("ignore-certificate-errors", true),
		chromedp.WindowSize(int(width), int(height))), 180*time.Second)
	t.Cleanup(cancel)
	tr := &tour{t: t, e: e, ctx: ctx, shot: shot, width: width}
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*runtime.EventExceptionThrown); ok {
			tr.mu.Lock()
			tr.exc = append(tr.exc, ev.ExceptionDetails.Text)
			tr.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateScale(1))
	}
	tr.must("the window", chromedp.Do(ctx, chromedp.EmulateViewport(width, height, opts...)))
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	tr.must("the network", err)
	_, err = chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
	tr.must("the language", err)
	t.Cleanup(func() {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		if len(tr.exc) > 0 {
			t.Errorf("script exceptions: %v", tr.exc)
		}
	})

	link := e.srv.URL + "/first-run/" + m[2]
	tr.must("the first-run page", chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#password-rule"))))
	tr.screen("firstrun")
	tr.must("name and password", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#name"), "núria"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.SendKeys(chromedp.CSS("#again"), password),
		chromedp.Click(chromedp.CSS("#firstrun-next")),
		chromedp.WaitVisible(chromedp.CSS("#totp-secret"))))
	tr.screen("firstrun-totp")
	secret := strings.ReplaceAll(tr.eval("the secret", `document.querySelector('#totp-secret').textContent`), " ", "")
	tr.must("the code", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), e.code(secret)),
		chromedp.Click(chromedp.CSS("#firstrun-confirm"))))
	tr.waitJS("logged in on the list", `location.pathname === '/' && !!document.querySelector('header nav')`)
	tr.fill()
	return tr
}

// fill publishes what the screens show: a bulletin edited once (its history), one a
// channel refused (needs attention, Retry) and one retracted with a reason.
func (tr *tour) fill() {
	e, ctx := tr.e, context.Background()
	tg, web := e.refusing("telegram"), e.refusing("web")
	_ = web
	tg.set(tourDead, delivery.PermanentBecause(delivery.ReasonRights, errors.New("telegram: send: Forbidden: bot is not a member of the channel chat")))
	at := time.Date(2020, 3, 14, 21, 0, 0, 0, time.UTC)
	pub := func(id, title, body string, urgent bool, publishAt *time.Time) {
		b := &bulletin.Bulletin{ID: id, Title: title, Lang: "ca", Group: id, Channels: []string{bulletin.Telegram, bulletin.Web},
			Body: body, Urgent: urgent, PublishAt: publishAt}
		if _, err := e.pub.Publish(ctx, b, "núria"); err != nil {
			tr.t.Fatal(err)
		}
	}
	pub(tourEdited, "Mesures de confinament a Lleida", "El **paer en cap** informa que a partir d'avui cal quedar-se a casa.\n\nNomés es pot sortir per anar a treballar, a comprar menjar o a la farmàcia.", false, nil)
	pub(tourDead, "Els mercats municipals obren", "Els mercats de Lleida obren de 8 a 14 h.\n\nCal mantenir la distància.", false, nil)
	pub(tourRetract, "Les biblioteques tanquen", "Les biblioteques municipals tanquen fins a nou avís.", false, nil)
	e.waitState(tourEdited, bulletin.Telegram, delivery.Delivered)
	pub(tourEdited, "Confinament a Lleida: mesures vigents", "El **paer en cap** informa que a partir d'avui cal quedar-se a casa.\n\nNomés es pot sortir per anar a treballar, a comprar menjar, a la farmàcia o per atendre persones grans.", true, &at)
	if _, err := e.svc.Desk.RetractBecause(ctx, desk.Actor{Name: "núria", Role: accounts.Admin, Via: "ui"}, tourRetract, "la data de reobertura no era correcta"); err != nil {
		tr.t.Fatal(err)
	}
	e.waitState(tourDead, bulletin.Telegram, delivery.Dead)
	e.waitState(tourEdited, bulletin.Web, delivery.Delivered)
}

func (tr *tour) screen(name string) {
	if tr.shot != nil {
		tr.shot(tr, name)
	}
}

func (tr *tour) open(path, ready string) {
	tr.t.Helper()
	tr.must("open "+path, chromedp.Do(tr.ctx, chromedp.Navigate(tr.e.srv.URL+path)))
	tr.waitJS(path+" ready", ready)
}

func (tr *tour) must(what string, err error) {
	tr.t.Helper()
	if err != nil {
		tr.t.Fatalf("%s: %v", what, err)
	}
}

func (tr *tour) waitJS(what, expr string) {
	tr.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var err error
	for {
		_, err = chromedp.Run(tr.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil || time.Now().After(deadline) || tr.ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		page, _ := chromedp.Run(tr.ctx, chromedp.Evaluate[string](`document.body.innerText`))
		tr.t.Fatalf("%s: %v\npage: %s", what, err, page)
	}
}

func (tr *tour) eval(what, expr string) string {
	tr.t.Helper()
	s, err := chromedp.Run(tr.ctx, chromedp.Evaluate[string](expr))
	tr.must(what, err)
	return s
}

// overflow lists what a reader of a phone would miss: the page scrolling sideways,
// and any channel state, button or field that is not wholly on screen.
const overflowJS = `(w => {
  const bad = [];
  if (document.documentElement.scrollWidth > w) bad.push('the page is ' + document.documentElement.scrollWidth + ' px wide');
  for (const el of document.querySelectorAll('[data-cell], button, a.button, input, select, textarea, table')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue; // hidden (a closed <details>)
    if (r.left < -0.5 || r.right > w + 0.5) bad.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className + ' "' + (el.innerText || el.value || '').slice(0, 40) + '" spans ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  return bad.join('\n');
})(390)`

// Every page works on a phone 390 px wide: nothing scrolls sideways, and the channel
// states and every button (Retry included) are on screen.
func TestBrowserPhoneEveryPageFits(t *testing.T) {
	var pages []string
	check := func(tr *tour, name string) {
		t.Helper()
		pages = append(pages, name)
		if bad := tr.eval("overflow", overflowJS); bad != "" {
			t.Errorf("%s at 390 px:\n%s", name, bad)
		}
	}
	tr := newTour(t, 390, 844, true, "ca", check)

	tr.open("/", `!!document.querySelector('#bulletins') && !!document.querySelector('[data-cell="`+tourDead+`.telegram"]')`)
	check(tr, "list")
	tr.open("/compose", `!!document.querySelector('#compose')`)
	tr.must("type", chromedp.Do(tr.ctx,
		chromedp.SendKeys(chromedp.CSS("#f-title"), "Horaris d'autobusos durant el confinament"),
		chromedp.SendKeys(chromedp.CSS("#f-body"), "Les línies 1, 2 i 3 funcionen cada 30 minuts: https://www.paeria.cat/ca/actualitat/noticies/2020/03/horaris-autobusos-urbans-confinament")))
	tr.waitJS("the preview", `document.querySelector('#preview-web').textContent.includes('Les línies')`)
	check(tr, "compose")
	tr.open("/bulletins/"+tourDead, `!!document.querySelector('#channels')`)
	if n := tr.eval("retry", `String(document.querySelectorAll('#channels button').length)`); n == "0" {
		t.Error("no Retry button on the bulletin a channel refused")
	}
	check(tr, "bulletin (dead channel, Retry)")
	tr.open("/bulletins/"+tourEdited, `!!document.querySelector('details.rev dl.changes')`)
	tr.eval("open every revision", `document.querySelectorAll('details.rev').forEach(d => d.open = true), 'ok'`)
	check(tr, "bulletin (history)")
	tr.open("/audit", `!!document.querySelector('main table')`)
	check(tr, "audit")
	tr.open("/admin", `!!document.querySelector('main form')`)
	check(tr, "accounts")
	tr.open("/login", `!!document.querySelector('#login')`)
	check(tr, "login")
	want := "firstrun firstrun-totp list compose bulletin (dead channel, Retry) bulletin (history) audit accounts login"
	if got := strings.Join(pages, " "); got != want {
		t.Errorf("pages checked: %s\nwant %s", got, want)
	}
	if w := tr.eval("layout width", `String(document.documentElement.clientWidth)`); w != "390" {
		t.Errorf("the page is laid out %s px wide, want the phone's 390", w)
	}
}
