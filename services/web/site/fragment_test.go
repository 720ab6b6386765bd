package site_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// /{lang}/article/{id} answers the article a list page in lang shows for id's group:
// the translation in lang when there is one, 304 on revalidation, 204 once the list
// shows nothing of it, 404 for an id the page never had. Its tags link the search.
func TestArticleFragment(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "mercat", Group: "mercat", Title: "Horaris del mercat", Body: "De 8 a 14 h.", Tags: []string{"comerç"}})
	e.waitRecord("mercat", 1, delivery.Delivered)

	r := e.get("/ca/article/mercat", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, `<article class="bulletin"`) || strings.Contains(r.body, "<html") {
		t.Fatalf("article: %d\n%s", r.status, r.body)
	}
	for _, want := range []string{`data-id="mercat"`, `data-group="mercat"`, "Horaris del mercat", `href="/ca/search?tag=comer%c3%a7"`} {
		if !strings.Contains(strings.ToLower(r.body), strings.ToLower(want)) {
			t.Errorf("article lacks %s:\n%s", want, r.body)
		}
	}
	if len(r.raw) > 1024 {
		t.Errorf("the article is %d bytes; a live update should cost far less than the page", len(r.raw))
	}
	if etag := r.header.Get("ETag"); etag == "" || e.get("/ca/article/mercat", map[string]string{"If-None-Match": etag}).status != http.StatusNotModified {
		t.Errorf("revalidating the article with ETag %q is not a 304", etag)
	}
	if r := e.get("/es/article/mercat", nil); r.status != http.StatusOK || !strings.Contains(r.body, `/es/search?tag=`) {
		t.Errorf("the Spanish list's article: %d, tags do not link the Spanish search\n%s", r.status, r.body)
	}
	// The list page shows the same article, tag links included.
	e.waitBody("/ca/", nil, http.StatusOK, `Etiquetes: <a href="/ca/search?tag=comer%C3%A7" lang="ca">comerç</a>`)

	e.publish(&bulletin.Bulletin{ID: "mercado", Group: "mercat", Lang: "es", Title: "Horarios del mercado", Body: "De 8 a 14 h."})
	e.waitRecord("mercado", 1, delivery.Delivered)
	if r := e.get("/es/article/mercat", nil); !strings.Contains(r.body, `data-id="mercado"`) {
		t.Errorf("the Spanish list shows the translation; its article for the group is:\n%s", r.body)
	}
	if r := e.get("/ca/article/mercado", nil); !strings.Contains(r.body, `data-id="mercat"`) {
		t.Errorf("the Catalan list shows the original; its article for the translation's id is:\n%s", r.body)
	}

	e.retract("mercat")
	e.waitRecord("mercat", 2, delivery.Retracted)
	if r := e.get("/ca/article/mercat", nil); r.status != http.StatusOK || !strings.Contains(r.body, `data-id="mercado"`) {
		t.Errorf("with the original retracted the Catalan list shows the translation; got %d\n%s", r.status, r.body)
	}
	e.retract("mercado")
	e.waitRecord("mercado", 2, delivery.Retracted)
	if r := e.get("/ca/article/mercat", nil); r.status != http.StatusNoContent || r.body != "" {
		t.Errorf("a group the list no longer shows: %d %q, want 204 and nothing", r.status, r.body)
	}
	for _, path := range []string{"/ca/article/mai-publicat", "/ca/article/Mal%20id", "/ca/article/", "/fr/article/mercat"} {
		if r := e.get(path, nil); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
}

// The event after a change names the one bulletin that changed and how, with the
// version it follows, before the plain "change" event every client understands.
func TestEventNamesTheChangedBulletin(t *testing.T) {
	e := newEnv(t, testConfig())
	res, closeStream := e.openStream("")
	defer closeStream()
	type ev struct{ name, data string }
	events := make(chan ev, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(res.Body)
		name, data := "", ""
		for sc.Scan() {
			l := sc.Text()
			switch {
			case strings.HasPrefix(l, "event: "):
				name = l[len("event: "):]
			case strings.HasPrefix(l, "data: "):
				data = l[len("data: "):]
			case l == "" && name != "":
				events <- ev{name, data}
				name, data = "", ""
			}
		}
	}()
	next := func(what string) ev {
		t.Helper()
		select {
		case x, ok := <-events:
			if !ok {
				t.Fatalf("stream ended waiting for %s", what)
			}
			return x
		case <-time.After(waitLimit):
			t.Fatalf("no event for %s within %s", what, waitLimit)
		}
		return ev{}
	}
	first := next("the opening event")
	if first.name != "change" {
		t.Fatalf("the opening event is %q, want a plain change", first.name)
	}
	version := first.data
	steps := []struct {
		do   func()
		kind string
	}{
		{func() { e.publish(&bulletin.Bulletin{ID: "avis", Title: "Avís", Body: "Primer."}) }, "published"},
		{func() { e.publish(&bulletin.Bulletin{ID: "avis", Title: "Avís corregit", Body: "Segon."}) }, "corrected"},
		{func() { e.retract("avis") }, "retracted"},
	}
	for _, s := range steps {
		s.do()
		b := next(s.kind)
		var c struct{ V, From, Kind, ID, Lang, Group string }
		if b.name != "bulletin" || json.Unmarshal([]byte(b.data), &c) != nil {
			t.Fatalf("after a change: event %q %q, want a bulletin event", b.name, b.data)
		}
		ch := next(s.kind + " change")
		if ch.name != "change" || c.V != ch.data || c.From != version || c.Kind != s.kind || c.ID != "avis" || c.Lang != "ca" || c.Group != "avis" {
			t.Errorf("%s: bulletin event %+v then %q %q; want kind %s, from %s, v the change's", s.kind, c, ch.name, ch.data, s.kind, version)
		}
		version = ch.data
	}
}
