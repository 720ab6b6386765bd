package site_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/shared/browsertest"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// browser starts a headless Chromium the size of a small phone.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browsertest.New(t, chromedp.WindowSize(390, 844))
}

// A citizen opens the page, sees the bulletins, sees a new one arrive without reloading,
// switches language, and hostile bulletins do nothing in the browser.
func TestBrowserReadsLiveBilingualPageSafely(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "mascaretes-ca", Group: "mascaretes", Lang: "ca", Title: "Mascaretes obligatòries al transport", Body: "Des de dilluns."})
	e.publish(&bulletin.Bulletin{ID: "mascaretes-es", Group: "mascaretes", Lang: "es", Title: "Mascarillas obligatorias en el transporte", Body: "Desde el lunes."})
	e.publish(&bulletin.Bulletin{ID: "hostil", Title: `Avís <img src=x onerror="alert('title')">`, Body: hostileBody +
		"\n\n<img src=x onerror=\"document.title='pwned'\"> <svg onload=alert(3)>"})
	e.waitRecord("hostil", 1, delivery.Delivered)

	ctx := browser(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	var dialogs, exceptions atomic.Int32
	var mu sync.Mutex
	var seen []string
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			dialogs.Add(1)
			mu.Lock()
			seen = append(seen, "dialog: "+ev.Message)
			mu.Unlock()
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		case *runtime.EventExceptionThrown:
			exceptions.Add(1)
			mu.Lock()
			seen = append(seen, "exception: "+ev.ExceptionDetails.Text)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must("text of "+sel, err)
		return s
	}
	eval := func(expr string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr))
		must(expr, err)
		return n
	}
	htmlLang := func() string {
		t.Helper()
		a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
		must("html lang", err)
		return a.Value
	}

	// Open / in Catalan and see the bulletins.
	must("open /ca/", chromedp.Do(ctx,
		chromedp.Navigate(e.url+"/ca/"),
		chromedp.WaitVisible(chromedp.CSS("#t-mascaretes-ca")),
	))
	mainText := text("main")
	if lang := htmlLang(); lang != "ca" || !strings.Contains(mainText, "Mascaretes obligatòries al transport") || !strings.Contains(mainText, `Avís <img src=x`) {
		t.Errorf("the Catalan page shows lang=%q and:\n%s", lang, mainText)
	}

	// A bulletin published now appears without a reload: the marker set on this very
	// document survives.
	eval(`window.__sameDocument = 42`)
	e.publish(&bulletin.Bulletin{ID: "nou-en-directe", Title: "Nou comunicat en directe", Body: "Acaba de sortir."})
	must("the new bulletin to appear", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#t-nou-en-directe"))))
	if eval(`window.__sameDocument || 0`) != 42 {
		t.Errorf("the page reloaded to show the new bulletin")
	}
	// An edit shows in place too.
	e.publish(&bulletin.Bulletin{ID: "nou-en-directe", Title: "Nou comunicat, corregit", Body: "Acaba de sortir."})
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#t-nou-en-directe').textContent.includes('corregit')`))
	must("the edit to appear", err)

	// Switch language with the visible switch.
	must("switch to Spanish", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav ul.langs a[hreflang="es"]`)),
		chromedp.WaitVisible(chromedp.CSS("#t-mascaretes-es")),
	))
	if lang, title := htmlLang(), text("#t-mascaretes-es"); lang != "es" || title != "Mascarillas obligatorias en el transporte" {
		t.Errorf("after the switch: lang %q, title %q", lang, title)
	}

	// The hostile bulletin's permalink: text shows as typed, nothing runs, no link is live.
	must("open the hostile bulletin", chromedp.Do(ctx,
		chromedp.Navigate(e.url+"/bulletins/hostil"),
		chromedp.WaitVisible(chromedp.CSS("article.full")),
		chromedp.Sleep(300*time.Millisecond), // give an injected handler the chance to fire (it must not)
	))
	jsLinks := eval(`[...document.querySelectorAll('a')].filter(a => !/^(https?:|\/|#|mailto:|tel:)/.test(a.getAttribute('href'))).length`)
	injected := eval(`document.querySelectorAll('main img, main svg, main iframe, main script, [onerror], [onload]').length`)
	docTitle, err := chromedp.Run(ctx, chromedp.Title())
	must("title", err)
	if jsLinks != 0 || injected != 0 || docTitle == "pwned" {
		t.Errorf("hostile content is live: %d unsafe links, %d injected elements, title %q", jsLinks, injected, docTitle)
	}
	if body := text("article.full"); !strings.Contains(body, `<script>alert("xss")</script>`) {
		t.Errorf("the typed <script> is not shown as text:\n%s", body)
	}
	mu.Lock()
	if dialogs.Load() != 0 || exceptions.Load() != 0 {
		t.Errorf("%d dialogs and %d exceptions: %q", dialogs.Load(), exceptions.Load(), seen)
	}
	mu.Unlock()

	if dir := os.Getenv("WEB_SCREENSHOTS"); dir != "" {
		for _, p := range []string{"/ca/", "/bulletins/hostil"} {
			if err := chromedp.Do(ctx, chromedp.Navigate(e.url+p)); err != nil {
				continue
			}
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				_ = os.WriteFile(dir+"/"+strings.Trim(strings.ReplaceAll(p, "/", "_"), "_")+".png", png, 0o644)
			}
		}
	}
}
