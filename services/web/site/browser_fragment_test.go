package site_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// A live event carries the article that changed, and an open first page applies it
// with no request at all: a new bulletin appears at the top, a correction replaces its
// article in place, a retraction removes it, and neither the page nor any article is
// fetched (the server counts one load of /ca/, no article, and nothing else but the
// stream and the assets), while a marker set on the document survives.
func TestBrowserLiveUpdatePatchesOneArticle(t *testing.T) {
	e := newEnv(t, testConfig())
	articleFromEvents(t, e, 0)
}

// An article over the cap an event carries is only named: the page fetches that one
// article, and still never itself. A retraction needs no article and fetches nothing.
func TestBrowserLiveUpdateFetchesArticleOverCap(t *testing.T) {
	e := newEnv(t, testConfig())
	e.svc.SetInlineMax(100) // every sample article is larger
	articleFromEvents(t, e, 1)
}

// articleFromEvents publishes, corrects and retracts a bulletin on an open /ca/ and
// checks the page follows, with fetches requests of each changed article (the
// retraction: none).
func articleFromEvents(t *testing.T, e *env, fetches int) {
	e.publish(&bulletin.Bulletin{ID: "mercat", Title: "Horaris del mercat", Body: "De 8 a 14 h.", Tags: []string{"comerç"}})
	e.publish(&bulletin.Bulletin{ID: "biblioteques", Title: "Biblioteques tancades", Body: "Fins a nou avís."})
	e.waitRecord("biblioteques", 1, delivery.Delivered)

	ctx, c, exceptions := livePage(t, e, "/ca/", "open")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.marker = "same document"; true`)); err != nil {
		t.Fatal(err)
	}
	// ids lists the articles of <main> in order.
	ids := func() []string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("main article")).map(a => a.dataset.id)`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	waitFor := func(what, js string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, waitLimit)
		defer cancel()
		if _, err := chromedp.Run(wctx, chromedp.Poll[bool](js)); err != nil {
			t.Fatalf("%s: %v (articles: %v)", what, err, ids())
		}
	}

	// A new bulletin: at the top, the others after it in their order.
	e.publish(&bulletin.Bulletin{ID: "vacunes", Title: "Cita per a les vacunes", Body: "Des de demà."})
	waitFor("the new bulletin at the top", `document.querySelector("main article") && document.querySelector("main article").dataset.id === "vacunes"`)
	if got := ids(); len(got) != 3 || got[1] != "biblioteques" || got[2] != "mercat" {
		t.Errorf("after a publish the articles are %v, want [vacunes biblioteques mercat]", got)
	}

	// A correction: the same article, in the same place, with the new words.
	e.publish(&bulletin.Bulletin{ID: "biblioteques", Title: "Biblioteques obertes amb cita", Body: "Des de dilluns."})
	waitFor("the correction shown", `document.getElementById("t-biblioteques") && document.getElementById("t-biblioteques").textContent.includes("obertes amb cita")`)
	if got := ids(); len(got) != 3 || got[1] != "biblioteques" {
		t.Errorf("after a correction the articles are %v, want biblioteques still second of 3", got)
	}

	// A retraction: the article goes, the rest stay.
	e.retract("mercat")
	waitFor("the retracted bulletin removed", `!document.getElementById("t-mercat")`)
	if got := ids(); len(got) != 2 || got[0] != "vacunes" || got[1] != "biblioteques" {
		t.Errorf("after a retraction the articles are %v, want [vacunes biblioteques]", got)
	}

	marker, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.marker || ""`))
	if err != nil {
		t.Fatal(err)
	}
	if marker != "same document" {
		t.Errorf("the document was reloaded (marker %q)", marker)
	}
	if n := c.get("/ca/"); n != 1 {
		t.Errorf("/ca/ was loaded %d times, want 1: each change should come with the event", n)
	}
	for p, want := range map[string]int{"/ca/article/vacunes": fetches, "/ca/article/biblioteques": fetches, "/ca/article/mercat": 0} {
		if n := c.get(p); n != want {
			t.Errorf("%s fetched %d times, want %d", p, n, want)
		}
	}
	for p, n := range c.all() {
		if !strings.HasPrefix(p, "/static/") && p != "/events" && p != "/favicon.ico" && p != "/ca/" && (fetches == 0 || !strings.HasPrefix(p, "/ca/article/")) {
			t.Errorf("%s requested %d times; the changes should have needed no request", p, n)
		}
	}
	if n := exceptions.Load(); n != 0 {
		t.Errorf("%d exceptions thrown", n)
	}
}

// On a paged list the first page keeps its size: a new bulletin goes in and the last
// one moves on to the next page, without loading the page. A bulletin that adds a
// page comes with the new page links in its event, so it is applied in place too. A
// retraction that would pull the next page's first article up is the fallback: the
// script refetches the page (one more load of /ca/), and the page says so.
func TestBrowserLiveUpdateOnPagedList(t *testing.T) {
	cfg := testConfig()
	cfg.PageSize = 2
	e := newEnv(t, cfg)
	for _, id := range []string{"u", "d", "t"} {
		e.publish(&bulletin.Bulletin{ID: id, Title: "Comunicat " + id, Body: "Text."})
		e.waitRecord(id, 1, delivery.Delivered)
	}
	ctx, c, exceptions := livePage(t, e, "/ca/", "open")
	ids := func() string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("main article")).map(a => a.dataset.id).join(" ") + " | " + document.querySelector("nav.pages span").textContent`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	waitFor := func(what, want string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, waitLimit)
		defer cancel()
		js := `Array.from(document.querySelectorAll("main article")).map(a => a.dataset.id).join(" ") + " | " + document.querySelector("nav.pages span").textContent === ` + "`" + want + "`"
		if _, err := chromedp.Run(wctx, chromedp.Poll[bool](js)); err != nil {
			t.Fatalf("%s: page shows %q, want %q: %v", what, ids(), want, err)
		}
	}
	waitFor("the page as served", "t d | Pàgina 1 de 2")

	// 3 → 4 bulletins: still two pages; "d" moves on to page 2.
	e.publish(&bulletin.Bulletin{ID: "q", Title: "Comunicat q", Body: "Text."})
	waitFor("the new bulletin in, the last one out", "q t | Pàgina 1 de 2")
	if n := c.get("/ca/"); n != 1 {
		t.Errorf("/ca/ loaded %d times after a publish that keeps the pages, want 1", n)
	}

	// 4 → 5 bulletins: a third page; the event brings its links.
	e.publish(&bulletin.Bulletin{ID: "c", Title: "Comunicat c", Body: "Text."})
	waitFor("the new bulletin in, with three pages", "c q | Pàgina 1 de 3")
	if n := c.get("/ca/"); n != 1 {
		t.Errorf("/ca/ loaded %d times after a publish that adds a page, want 1 (the event has the links)", n)
	}
	older, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("nav.pages a[rel=next]").getAttribute("href")`))
	if err != nil || older != "/ca/?page=2" {
		t.Errorf("the new page links lead to %q (%v), want /ca/?page=2", older, err)
	}

	// 5 → 4 bulletins, "q" off the first page: "t" must come up from page 2, which
	// the page cannot know; the script refetches the page.
	e.retract("q")
	waitFor("the page refetched after a retraction", "c t | Pàgina 1 de 2")
	if n := c.get("/ca/"); n != 2 {
		t.Errorf("/ca/ loaded %d times after a retraction on a paged list, want 2 (one refetch)", n)
	}
	if n := exceptions.Load(); n != 0 {
		t.Errorf("%d exceptions thrown", n)
	}
}
