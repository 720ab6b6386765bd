package site

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/bulletin"
)

// bulletinEvent returns the "bulletin" event in b, decoded; ok false when there is none.
func bulletinEvent(t *testing.T, b []byte) (c change, ok bool) {
	t.Helper()
	const head = "event: bulletin\ndata: "
	s, found := strings.CutPrefix(string(b), head)
	if !found {
		return change{}, false
	}
	data, rest, _ := strings.Cut(s, "\n\n")
	if strings.Contains(data, "\n") {
		t.Fatalf("the event's data spans lines: %q", data)
	}
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		t.Fatalf("bulletin event %q: %v", data, err)
	}
	if !strings.HasPrefix(rest, "id: "+c.V+"\nevent: change\ndata: "+c.V+"\n\n") {
		t.Errorf("the bulletin event is not followed by its change event: %q", rest)
	}
	return c, true
}

// The event of a stream in a page's language carries what that list now shows of the
// changed bulletin's group, so the page needs no request: the article as
// /{lang}/article/{id} serves it (the translation in that language, or the original),
// or "remove" once the list shows nothing of it. An article over the cap is only named,
// and a stream without a language gets no article. Streams in the same language share
// one encoding.
func TestEventCarriesTheArticle(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxStreams = 10
	f := feed.New()
	f.MarkReady()
	s, err := NewServer(cfg, f, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)
	rev := 0
	apply := func(id, lang, group, title, body string, action bulletin.Action) {
		rev++
		f.Apply(&bulletin.Revision{ID: id, Rev: rev, Action: action, At: at.Add(time.Duration(rev) * time.Minute),
			Bulletin: &bulletin.Bulletin{ID: id, Title: title, Lang: lang, Group: group, Channels: []string{bulletin.Web}, Body: body}}, at)
	}
	// served is the article the page serves for id in lang: what the event must carry.
	served := func(lang, id string) string {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/"+lang+"/article/"+id, nil))
		if rec.Code != http.StatusOK {
			return ""
		}
		return rec.Body.String()
	}
	steps := []struct {
		name   string
		do     func()
		kind   feed.ChangeKind
		id     string
		ca, es string // "remove", "fetch" (named only), or the title the article shows
	}{
		{"a new bulletin", func() { apply("obert", "ca", "obert", "Mercat obert", "Fins a les 14 h.", bulletin.Publish) },
			feed.Published, "obert", "Mercat obert", "Mercat obert"},
		{"its Spanish translation", func() { apply("abierto", "es", "obert", "Mercado abierto", "Hasta las 14 h.", bulletin.Publish) },
			feed.Published, "abierto", "Mercat obert", "Mercado abierto"},
		{"a correction", func() {
			apply("obert", "ca", "obert", "Mercat obert <b>fins</b> a les 15 h", "Fins a les 15 h.", bulletin.Publish)
		},
			feed.Corrected, "obert", "Mercat obert &lt;b&gt;fins&lt;/b&gt; a les 15 h", "Mercado abierto"},
		{"the translation retracted", func() { apply("abierto", "es", "obert", "", "", bulletin.Retract) },
			feed.Retracted, "abierto", "Mercat obert &lt;b&gt;fins&lt;/b&gt; a les 15 h", "Mercat obert &lt;b&gt;fins&lt;/b&gt; a les 15 h"},
		{"the original retracted", func() { apply("obert", "ca", "obert", "", "", bulletin.Retract) },
			feed.Retracted, "obert", "remove", "remove"},
		{"a bulletin too large to carry", func() { s.inlineMax = 300; apply("annex", "ca", "annex", "Annex", "Text.", bulletin.Publish) },
			feed.Published, "annex", "fetch", "fetch"},
	}
	_, told := s.eventBytes(0, true, "ca")
	for _, st := range steps {
		st.do()
		byLang := map[string][]byte{}
		for _, lang := range []string{"ca", "es", ""} {
			b, to := s.eventBytes(told, false, lang)
			if to != f.Version() {
				t.Fatalf("%s: the event tells version %d, the feed is at %d", st.name, to, f.Version())
			}
			byLang[lang] = b
			c, ok := bulletinEvent(t, b)
			if !ok {
				t.Fatalf("%s: no bulletin event in %q", st.name, b)
			}
			if c.Kind != st.kind || c.ID != st.id || c.Group != "obert" && c.Group != "annex" {
				t.Errorf("%s (%q): event names %s %s of %s, want %s %s", st.name, lang, c.Kind, c.ID, c.Group, st.kind, st.id)
			}
			want := map[string]string{"ca": st.ca, "es": st.es, "": "fetch"}[lang]
			switch want {
			case "remove":
				if !c.Remove || c.Article != "" {
					t.Errorf("%s (%q): remove %v, article %d bytes; want remove only", st.name, lang, c.Remove, len(c.Article))
				}
			case "fetch":
				if c.Remove || c.Article != "" {
					t.Errorf("%s (%q): remove %v, article %d bytes; want the id only, for the page to fetch", st.name, lang, c.Remove, len(c.Article))
				}
			default:
				if c.Remove || !strings.Contains(c.Article, ">"+want+"</") {
					t.Errorf("%s (%q): article %q, want one titled %q", st.name, lang, c.Article, want)
				}
				if shown := served(lang, st.id); c.Article != shown {
					t.Errorf("%s (%q): the event's article differs from what /%s/article/%s serves:\n%s\n%s", st.name, lang, lang, st.id, c.Article, shown)
				}
			}
			if again, _ := s.eventBytes(told, false, lang); &again[0] != &b[0] {
				t.Errorf("%s (%q): a second stream got its own encoding, not the shared one", st.name, lang)
			}
		}
		if len(byLang["ca"]) > 2*inlineMax {
			t.Errorf("%s: an event of %d bytes", st.name, len(byLang["ca"]))
		}
		told = f.Version()
	}
}

// A stream asks for one page language or none; anything else is refused with a
// message naming the parameter, before the stream takes a slot.
func TestEventsLanguageParameter(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxStreams = 10
	s, err := NewServer(cfg, feed.New(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"?lang=xx", "?lang=CA", "?lang=ca&lang=es", "?lang=%3Cscript%3E", "?lang=en"} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/events"+q, nil))
		if body := rec.Body.String(); rec.Code != http.StatusBadRequest || !strings.HasPrefix(body, "lang: ") || strings.Contains(body, "<script") {
			t.Errorf("/events%s: %d %q, want 400 naming lang", q, rec.Code, body)
		}
	}
	if s.streams.open != 0 {
		t.Errorf("refused streams hold %d slots", s.streams.open)
	}
}

// A new bulletin that makes a list one page longer comes with the first page's new
// page links and the list's total, so an open first page applies it in place; other
// events carry the total only.
func TestEventCarriesNewPageLinks(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxStreams, cfg.PageSize = 10, 2
	f := feed.New()
	f.MarkReady()
	s, err := NewServer(cfg, f, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		id    string
		total int
		pages int // the page count the links say; 0: no links
	}{
		{"u", 1, 0}, {"d", 2, 0}, {"t", 3, 2}, {"q", 4, 0}, {"c", 5, 3},
	}
	for i, c := range cases {
		from := f.Version()
		f.Apply(&bulletin.Revision{ID: c.id, Rev: 1, Action: bulletin.Publish, At: at.Add(time.Duration(i) * time.Minute),
			Bulletin: &bulletin.Bulletin{ID: c.id, Title: c.id, Lang: "ca", Group: c.id, Channels: []string{bulletin.Web}, Body: "x"}}, at.Add(time.Duration(i)*time.Minute))
		b, _ := s.eventBytes(from, false, "es")
		ev, ok := bulletinEvent(t, b)
		if !ok {
			t.Fatalf("%s: no bulletin event in %q", c.id, b)
		}
		if ev.Total != c.total {
			t.Errorf("%s: total %d, want %d", c.id, ev.Total, c.total)
		}
		if c.pages == 0 && ev.Pages != "" || c.pages != 0 && !strings.Contains(ev.Pages, "<span>Página 1 de "+strconv.Itoa(c.pages)+"</span>") {
			t.Errorf("%s: page links %q, want links for %d pages", c.id, ev.Pages, c.pages)
		}
		if c.pages != 0 && !strings.Contains(ev.Pages, `href="/es/?page=2" rel="next"`) {
			t.Errorf("%s: page links %q do not lead to the Spanish page 2", c.id, ev.Pages)
		}
	}
}

// The article an event carries is the page's sanitised render: a hostile bulletin's
// markup arrives as text or not at all, never as live HTML for the page to insert.
func TestEventArticleIsInert(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxStreams = 10
	f := feed.New()
	f.MarkReady()
	s, err := NewServer(cfg, f, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)
	from := f.Version()
	f.Apply(&bulletin.Revision{ID: "hostil", Rev: 1, Action: bulletin.Publish, At: at,
		Bulletin: &bulletin.Bulletin{ID: "hostil", Title: `Títol <script>alert("t")</script>`, Lang: "ca", Group: "hostil", Channels: []string{bulletin.Web},
			Tags: []string{`"><script>alert(1)</script>`},
			Body: "Avís <script>alert(\"xss\")</script> important.\n\n<img src=x onerror=\"alert('img')\">\n\n" +
				"[Informació](javascript:alert('link')) i <a href=\"javascript:alert(2)\">clic</a>.\n\n<iframe src=\"https://evil.example\"></iframe>"}}, at)
	b, _ := s.eventBytes(from, false, "ca")
	c, ok := bulletinEvent(t, b)
	if !ok || c.Article == "" {
		t.Fatalf("no article in %q", b)
	}
	lower := strings.ToLower(c.Article)
	for _, bad := range []string{`<script`, `<img src=x`, `onerror="`, `href="javascript:`, `<iframe`} {
		if strings.Contains(lower, bad) {
			t.Errorf("the event's article contains live %q:\n%s", bad, c.Article)
		}
	}
	if !strings.Contains(c.Article, "&lt;script&gt;alert") {
		t.Errorf("the typed <script> of the title is not text:\n%s", c.Article)
	}
}
