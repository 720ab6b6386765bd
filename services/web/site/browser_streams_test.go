package site_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// counted serves the running service's handler on a server of the test's own and counts
// the requests for each path, as the page's server sees them.
type counted struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counted) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.n[r.URL.Path]++
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// all returns every path requested so far and how often.
func (c *counted) all() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

func (c *counted) get(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

// livePage opens path in a phone-sized Chromium through a counting server and waits
// until live.js has settled in state (data-live: open or off). It returns the tab, the
// counts and the number of exceptions thrown so far.
func livePage(t *testing.T, e *env, path, state string) (context.Context, *counted, *atomic.Int32) {
	t.Helper()
	c := &counted{n: map[string]int{}}
	ts := httptest.NewServer(c.wrap(e.svc.Handler()))
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithTimeout(browser(t), 90*time.Second)
	t.Cleanup(cancel)
	var exceptions atomic.Int32
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*runtime.EventExceptionThrown); ok {
			exceptions.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+path)); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.dataset.live === "`+state+`"`)); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.dataset.live || "unset"`))
		t.Fatalf("live updates never became %q (they are %q): %v", state, got, err)
	}
	return ctx, c, &exceptions
}

// A page opened at the feed's current version is loaded once: the stream's first
// event says nothing changed. A new bulletin then arrives inside the event: no fetch
// of its article, no load of the page.
func TestBrowserVersionCheckLoadsPageOnce(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "horaris", Title: "Horaris del mercat", Body: "De 8 a 14 h."})
	e.waitRecord("horaris", 1, delivery.Delivered)

	ctx, c, exceptions := livePage(t, e, "/ca/", "open")
	if n := c.get("/ca/"); n != 1 {
		t.Errorf("opening the page up to date made %d loads of /ca/, want 1", n)
	}
	if n := c.get("/events"); n != 1 {
		t.Errorf("%d streams opened, want 1", n)
	}

	e.publish(&bulletin.Bulletin{ID: "horaris-nous", Title: "Nous horaris del mercat", Body: "De 8 a 15 h."})
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#t-horaris-nous"))); err != nil {
		t.Fatalf("the new bulletin to appear: %v", err)
	}
	if n := c.get("/ca/"); n != 1 {
		t.Errorf("after one change /ca/ was loaded %d times in all, want 1 (the event carries the article)", n)
	}
	if n := c.get("/ca/article/horaris-nous"); n != 0 {
		t.Errorf("the new article was fetched %d times, want 0 (the event carries it)", n)
	}
	if n := exceptions.Load(); n != 0 {
		t.Errorf("%d exceptions thrown", n)
	}
}

// With every stream slot taken, the page still renders whole, says nothing alarming,
// throws nothing, and its script stops live updates quietly.
func TestBrowserPageUnderFullStreamCap(t *testing.T) {
	cfg := testConfig()
	cfg.MaxStreams = 1
	e := newEnv(t, cfg)
	e.publish(&bulletin.Bulletin{ID: "vacunacio", Title: "Punts de vacunació", Body: "Al pavelló Onze de Setembre.", Urgent: true})
	e.waitRecord("vacunacio", 1, delivery.Delivered)
	if res, _ := e.openStream(""); res.StatusCode != http.StatusOK {
		t.Fatalf("the stream that fills the cap: %d", res.StatusCode)
	}

	ctx, c, exceptions := livePage(t, e, "/ca/", "off")
	main, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(main, "Punts de vacunació") {
		t.Errorf("the page under a full cap does not show the bulletin:\n%s", main)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#live-status")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(status) != "" {
		t.Errorf("the status line says %q, want nothing", status)
	}
	if n := exceptions.Load(); n != 0 {
		t.Errorf("%d exceptions thrown", n)
	}
	if n := c.get("/ca/"); n != 1 {
		t.Errorf("/ca/ loaded %d times, want 1", n)
	}
}
