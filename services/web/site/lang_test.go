package site_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

func TestReaderLanguageAndTranslations(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "escoles-ca", Group: "escoles", Lang: "ca", Title: "Les escoles tanquen", Body: "Fins a nou avís."})
	e.publish(&bulletin.Bulletin{ID: "escoles-es", Group: "escoles", Lang: "es", Title: "Las escuelas cierran", Body: "Hasta nuevo aviso."})
	e.publish(&bulletin.Bulletin{ID: "mercat", Lang: "ca", Title: "El mercat obre els dissabtes", Body: "Només parades d'alimentació."})
	e.waitRecord("mercat", 1, "delivered")

	cases := []struct {
		name, path, accept string
		lang, shows, hides string
	}{
		{"catalan_reader_on_front", "/", "ca-ES,ca;q=0.9,es;q=0.8", "ca", "Les escoles tanquen", "Las escuelas cierran"},
		{"spanish_reader_on_front", "/", "es-ES,es;q=0.9,en;q=0.5", "es", "Las escuelas cierran", "Les escoles tanquen"},
		{"spanish_preferred_by_q", "/", "ca;q=0.3, es;q=0.7", "es", "Las escuelas cierran", "Les escoles tanquen"},
		{"neither_language_gets_catalan", "/", "en-GB,en;q=0.9", "ca", "Les escoles tanquen", "Las escuelas cierran"},
		{"garbage_header_gets_catalan", "/", ";;;q=x,,", "ca", "Les escoles tanquen", "Las escuelas cierran"},
		{"explicit_spanish_ignores_header", "/es/", "ca", "es", "Las escuelas cierran", "Les escoles tanquen"},
		{"explicit_catalan_ignores_header", "/ca/", "es", "ca", "Les escoles tanquen", "Las escuelas cierran"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.get(c.path, map[string]string{"Accept-Language": c.accept})
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			if !strings.Contains(r.body, `<html lang="`+c.lang+`"`) {
				t.Errorf("page language is not %s", c.lang)
			}
			if !strings.Contains(r.body, c.shows) || strings.Contains(r.body, c.hides) {
				t.Errorf("want %q and not %q in\n%s", c.shows, c.hides, r.body)
			}
			// The untranslated bulletin is shown in its own language, marked as such.
			if !strings.Contains(r.body, `lang="ca" aria-labelledby="t-mercat"`) {
				t.Errorf("the Catalan-only bulletin is missing or lacks lang=ca")
			}
			// The switch is visible and points at both languages.
			if !strings.Contains(r.body, `href="/ca/" hreflang="ca"`) || !strings.Contains(r.body, `href="/es/" hreflang="es"`) {
				t.Errorf("language switch missing")
			}
		})
	}
	if v := e.get("/", nil).header.Get("Vary"); !strings.Contains(v, "Accept-Language") {
		t.Errorf("/ varies by language but says Vary: %q", v)
	}

	// The permalink speaks the bulletin's language and links its translation.
	r := e.get("/bulletins/escoles-es", map[string]string{"Accept-Language": "ca"})
	if !strings.Contains(r.body, `<html lang="es"`) || !strings.Contains(r.body, `También en: <a href="/bulletins/escoles-ca" hreflang="ca"`) {
		t.Errorf("permalink of the Spanish translation:\n%s", r.body)
	}
	if r := e.get("/ca", nil); r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/ca/" {
		t.Errorf("/ca: %d to %q, want 301 to /ca/", r.status, r.header.Get("Location"))
	}
	if r := e.get("/de/", nil); r.status != http.StatusNotFound {
		t.Errorf("/de/: %d, want 404", r.status)
	}
}

func TestUrgentPinnedThenNewestFirstPaginated(t *testing.T) {
	cfg := testConfig()
	cfg.PageSize = 2
	e := newEnv(t, cfg)
	day := func(d int) *time.Time { t := time.Date(2020, 3, d, 10, 0, 0, 0, time.UTC); return &t }
	e.publish(&bulletin.Bulletin{ID: "urgent-vell", Title: "URGENT: telèfon d'atenció", PublishAt: day(10), Urgent: true, Body: "Truqueu al 012."})
	e.publish(&bulletin.Bulletin{ID: "dia-11", Title: "Dia onze", PublishAt: day(11), Body: "."})
	e.publish(&bulletin.Bulletin{ID: "dia-13", Title: "Dia tretze", PublishAt: day(13), Body: "."})
	e.publish(&bulletin.Bulletin{ID: "dia-12", Title: "Dia dotze", PublishAt: day(12), Body: "."})
	e.waitRecord("dia-12", 1, "delivered")

	order := func(body string, titles ...string) bool {
		last := -1
		for _, ti := range titles {
			i := strings.Index(body, ti)
			if i <= last {
				return false
			}
			last = i
		}
		return true
	}
	p1 := e.waitBody("/ca/", nil, http.StatusOK, "Dia tretze")
	if !order(p1.body, "URGENT: telèfon", "Dia tretze") || strings.Contains(p1.body, "Dia dotze") {
		t.Errorf("page 1 is not [urgent, newest]:\n%s", p1.body)
	}
	if !strings.Contains(p1.body, `class="bulletin urgent"`) || !strings.Contains(p1.body, "Pàgina 1 de 2") ||
		!strings.Contains(p1.body, `href="/ca/?page=2" rel="next"`) {
		t.Errorf("page 1 lacks the urgent mark or the pager:\n%s", p1.body)
	}
	p2 := e.get("/ca/?page=2", nil)
	if !order(p2.body, "Dia dotze", "Dia onze") || strings.Contains(p2.body, "Dia tretze") {
		t.Errorf("page 2 is not [12, 11]:\n%s", p2.body)
	}
	if !strings.Contains(p2.body, `href="/ca/" rel="prev"`) {
		t.Errorf("page 2 does not link back to page 1")
	}
	for _, c := range []struct {
		query  string
		status int
	}{{"?page=abc", 400}, {"?page=0", 400}, {"?page=-1", 400}, {"?page=3", 404}, {"?page=99999999999999999999", 400}} {
		if r := e.get("/ca/"+c.query, nil); r.status != c.status {
			t.Errorf("/ca/%s: %d, want %d", c.query, r.status, c.status)
		}
	}
}
