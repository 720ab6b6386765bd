package site_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// With JavaScript off, a citizen types a word, picks a month and a tag and submits: the results
// come from the server, and the address they land on is the query, ready to share.
func TestBrowserSearchWithoutJavaScript(t *testing.T) {
	e := newEnv(t, testConfig())
	march := time.Date(2020, 3, 14, 10, 0, 0, 0, time.UTC)
	april := time.Date(2020, 4, 2, 10, 0, 0, 0, time.UTC)
	e.publish(&bulletin.Bulletin{ID: "parcs", Title: "Tancament dels parcs", Body: "Es tanquen.", Tags: []string{"salut"}, PublishAt: &march})
	e.publish(&bulletin.Bulletin{ID: "parcs-obren", Title: "Els parcs tornen a obrir", Body: "Amb aforament.", Tags: []string{"salut"}, PublishAt: &april})
	e.publish(&bulletin.Bulletin{ID: "mercats", Title: "Mercats", Body: "Només alimentació.", Tags: []string{"comerç"}, PublishAt: &march})
	e.waitRecord("mercats", 1, delivery.Delivered)

	ctx, cancel := context.WithTimeout(browser(t), 60*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.url+"/ca/"),
		chromedp.WaitVisible(chromedp.CSS("#t-mercats")),
		chromedp.SendKeys(chromedp.CSS(`form.search input[name="q"]`), "PARCS"),
		chromedp.SetValue(chromedp.CSS(`form.search select[name="month"]`), "2020-03"),
		chromedp.SetValue(chromedp.CSS(`form.search select[name="tag"]`), "salut"),
		chromedp.Click(chromedp.CSS(`form.search button`)),
		chromedp.WaitVisible(chromedp.CSS(".results")),
		chromedp.Sleep(500*time.Millisecond), // live.js, were it running, would mark <html> by now
	); err != nil {
		t.Fatal(err)
	}
	// live.js marks the page once its stream opens: scripts really were off.
	if live, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.getAttribute('data-live') || ''`)); err != nil || live != "" {
		t.Fatalf("live.js ran (data-live %q, %v): the test does not show a page without JavaScript", live, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	main, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/ca/search?q=PARCS&month=2020-03&tag=salut") || !strings.Contains(main, "Tancament dels parcs") ||
		strings.Contains(main, "tornen a obrir") || strings.Contains(main, "Mercats") || !strings.Contains(main, "1 resultats") {
		t.Errorf("at %s the page shows:\n%s", loc, main)
	}
}
