package site_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// A live event names the bulletin that changed, and an open first page fetches only
// that article: a new bulletin appears at the top, a correction replaces its article
// in place, a retraction removes it, and the page itself is never loaded again (a
// marker set on the document survives, and the server counts one load of /ca/).
func TestBrowserLiveUpdatePatchesOneArticle(t *testing.T) {
	e := newEnv(t, testConfig())
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
		t.Errorf("/ca/ was loaded %d times, want 1: each change should fetch one article", n)
	}
	for _, p := range []string{"/ca/article/vacunes", "/ca/article/biblioteques", "/ca/article/mercat"} {
		if n := c.get(p); n != 1 {
			t.Errorf("%s fetched %d times, want 1", p, n)
		}
	}
	if n := exceptions.Load(); n != 0 {
		t.Errorf("%d exceptions thrown", n)
	}
}

// On a paged list the first page keeps its size: a new bulletin goes in and the last
// one moves on to the next page, still without loading the page. When a bulletin
// would add a page, the script cannot redraw the page links, so it refetches the page
// instead (one more load of /ca/), and the links say so.
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

	// 4 → 5 bulletins: a third page; the script refetches the page.
	e.publish(&bulletin.Bulletin{ID: "c", Title: "Comunicat c", Body: "Text."})
	waitFor("the page refetched with three pages", "c q | Pàgina 1 de 3")
	if n := c.get("/ca/"); n != 2 {
		t.Errorf("/ca/ loaded %d times after a publish that adds a page, want 2 (one refetch)", n)
	}
	if n := exceptions.Load(); n != 0 {
		t.Errorf("%d exceptions thrown", n)
	}
}
