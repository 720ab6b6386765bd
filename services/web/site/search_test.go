package site_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// Search by words and month, on the server, with shareable URLs and escaped output.
func TestSearch(t *testing.T) {
	cfg := testConfig()
	cfg.PageSize = 2
	e := newEnv(t, cfg)
	at := func(month time.Month, day int) *time.Time {
		t := time.Date(2020, month, day, 10, 0, 0, 0, time.UTC)
		return &t
	}
	e.publish(&bulletin.Bulletin{ID: "parcs", Title: "Tancament dels parcs", Body: "Es tanquen els parcs i jardins.", PublishAt: at(3, 14)})
	e.publish(&bulletin.Bulletin{ID: "mercats", Title: "Mercats ambulants", Body: "Només alimentació. Informació al 010.", PublishAt: at(3, 20)})
	e.publish(&bulletin.Bulletin{ID: "biblioteques", Title: "Biblioteques", Body: "Préstec de llibres per correu.", PublishAt: at(4, 2)})
	e.publish(&bulletin.Bulletin{ID: "parcs-obren", Title: "Els PARCS tornen a obrir", Body: "Amb aforament.", PublishAt: at(4, 28)})
	e.publish(&bulletin.Bulletin{ID: "parques", Lang: "es", Group: "parques", Title: "Cierre de los parques", Body: "Se cierran.", PublishAt: at(3, 14)})
	e.waitRecord("parques", 1, delivery.Delivered)

	cases := []struct {
		name, path string
		status     int
		want, lack []string
	}{
		{"word_any_case", "/ca/search?q=parcs", 200, []string{`id="t-parcs"`, `id="t-parcs-obren"`, "2 resultats", `value="parcs"`}, []string{`id="t-mercats"`}},
		{"accents_folded", "/ca/search?q=INFORMACIO", 200, []string{`id="t-mercats"`, "1 resultats"}, []string{`id="t-parcs"`}},
		{"all_words", "/ca/search?q=parcs+obrir", 200, []string{`id="t-parcs-obren"`}, []string{`id="t-parcs"`}},
		{"month", "/ca/search?month=2020-04", 200, []string{`id="t-biblioteques"`, `id="t-parcs-obren"`, `<option value="2020-04" selected>abril 2020</option>`}, []string{`id="t-mercats"`}},
		{"word_and_month", "/ca/search?q=parcs&month=2020-03", 200, []string{`id="t-parcs"`, "1 resultats"}, []string{`id="t-parcs-obren"`}},
		{"spanish", "/es/search?q=parques", 200, []string{`id="t-parques"`, "Búsqueda", `<option value="2020-03">marzo 2020</option>`,
			`<a href="/ca/search?q=parques" hreflang="ca"`}, []string{`id="t-parcs"`}},
		{"nothing", "/ca/search?q=vacunes", 200, []string{"Cap comunicat no coincideix", "0 resultats"}, []string{"<article"}},
		{"escaped", "/ca/search?q=" + url.QueryEscape(`"><script>alert(1)</script>`), 200, []string{`value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`}, []string{"<script>alert"}},
		{"paged", "/ca/search?q=e", 200, []string{"Pàgina 1 de 3", `href="/ca/search?page=2&amp;q=e" rel="next"`}, nil},
		{"last_page", "/ca/search?page=3&q=e", 200, []string{`href="/ca/search?page=2&amp;q=e" rel="prev"`}, []string{`rel="next"`}},
		{"past_the_end", "/ca/search?q=e&page=4", 404, nil, nil},
		{"bad_month", "/ca/search?month=març", 400, []string{"el mes ha de ser de la llista"}, nil},
		{"bad_page", "/ca/search?q=a&page=0", 400, nil, nil},
		{"too_long", "/ca/search?q=" + strings.Repeat("a", 101), 400, nil, nil},
		{"unknown_language", "/fr/search?q=a", 404, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.get(c.path, nil)
			if r.status != c.status {
				t.Fatalf("GET %s: %d, want %d", c.path, r.status, c.status)
			}
			mustContain(t, c.path, r.body, c.want...)
			mustLack(t, c.path, r.body, c.lack...)
		})
	}

	// The front page carries the form, a plain GET to the page itself, with the months.
	ca := e.get("/ca/", nil).body
	mustContain(t, "/ca/", ca, `<form class="search" role="search" method="get" action="/ca/search">`,
		`<input type="search" name="q" value=""`, `<option value="2020-04">abril 2020</option>`)
	if csp := e.get("/ca/", nil).header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("the CSP blocks the search form: %s", csp)
	}
	// The results answer revalidation like every page.
	r := e.get("/ca/search?q=parcs", nil)
	if again := e.get("/ca/search?q=parcs", map[string]string{"If-None-Match": r.header.Get("ETag")}); again.status != http.StatusNotModified {
		t.Errorf("revalidating a search: %d", again.status)
	}
}

// Filter by tag: a select of the tags in use, a shareable URL, and tags escaped however
// staff or a crafted link wrote them.
func TestSearchByTag(t *testing.T) {
	cfg := testConfig()
	cfg.PageSize = 1
	e := newEnv(t, cfg)
	at := func(month time.Month, day int) *time.Time {
		t := time.Date(2020, month, day, 10, 0, 0, 0, time.UTC)
		return &t
	}
	hostile := `"><script>alert(1)</script>`
	e.publish(&bulletin.Bulletin{ID: "parcs", Title: "Tancament dels parcs", Body: "Es tanquen.", Tags: []string{"mobilitat", "salut"}, PublishAt: at(3, 14)})
	e.publish(&bulletin.Bulletin{ID: "mercats", Title: "Mercats ambulants", Body: "Només alimentació.", Tags: []string{"comerç"}, PublishAt: at(3, 20)})
	e.publish(&bulletin.Bulletin{ID: "hospital", Title: "Visites a l'hospital", Body: "Sense visites.", Tags: []string{"salut", hostile}, PublishAt: at(4, 2)})
	e.publish(&bulletin.Bulletin{ID: "hospital-es", Lang: "es", Group: "hospital", Title: "Visitas al hospital", Body: "Sin visitas.", Tags: []string{"sanidad"}, PublishAt: at(4, 2)})
	e.waitRecord("hospital-es", 1, delivery.Delivered)

	escaped := `&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;`
	cases := []struct {
		name, path string
		status     int
		want, lack []string
	}{
		{"tag", "/ca/search?tag=salut", 200, []string{`id="t-hospital"`, "2 resultats", `<option value="salut" selected>salut</option>`,
			`href="/ca/search?page=2&amp;tag=salut" rel="next"`}, []string{`id="t-mercats"`}},
		{"tag_page_2", "/ca/search?tag=salut&page=2", 200, []string{`id="t-parcs"`, `href="/ca/search?tag=salut" rel="prev"`}, nil},
		{"tag_with_accent", "/ca/search?tag=" + url.QueryEscape("comerç"), 200, []string{`id="t-mercats"`, "1 resultats"}, nil},
		{"tag_and_word", "/ca/search?q=hospital&tag=salut", 200, []string{`id="t-hospital"`, "1 resultats"}, []string{`id="t-parcs"`}},
		{"tag_and_month", "/ca/search?tag=salut&month=2020-03", 200, []string{`id="t-parcs"`, "1 resultats"}, []string{`id="t-hospital"`}},
		{"tag_is_exact", "/ca/search?tag=salu", 200, []string{"0 resultats"}, []string{"<article"}},
		{"tags_of_the_language", "/es/search?tag=sanidad", 200, []string{`id="t-hospital-es"`, "Todas las etiquetas",
			`<option value="sanidad" selected>sanidad</option>`, `<option value="salut">`, `<a href="/ca/search?tag=sanidad" hreflang="ca"`}, []string{"alert(1)"}},
		{"hostile_tag_in_use", "/ca/search?tag=" + url.QueryEscape(hostile), 200, []string{`id="t-hospital"`,
			`<option value="` + escaped + `" selected>` + escaped + `</option>`}, []string{"<script>alert"}},
		{"hostile_tag_in_url", "/ca/search?tag=" + url.QueryEscape(`x"onmouseover="alert(1)`), 200, []string{"0 resultats",
			`value="x&#34;onmouseover=&#34;alert(1)" selected>`}, []string{`"onmouseover="`}},
		{"tag_too_long", "/ca/search?tag=" + strings.Repeat("a", 101), 400, nil, nil},
		{"tag_not_utf8", "/ca/search?tag=%ff", 400, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.get(c.path, nil)
			if r.status != c.status {
				t.Fatalf("GET %s: %d, want %d", c.path, r.status, c.status)
			}
			mustContain(t, c.path, r.body, c.want...)
			mustLack(t, c.path, r.body, c.lack...)
		})
	}

	// The front page offers the tags in use, sorted, accents aside, without JavaScript.
	ca := e.get("/ca/", nil).body
	mustContain(t, "/ca/", ca, `<label>Etiqueta <select name="tag"><option value="">Totes les etiquetes</option>`,
		"<option value=\""+escaped+"\">"+escaped+"</option>\n<option value=\"comerç\">comerç</option>\n<option value=\"mobilitat\">mobilitat</option>\n<option value=\"salut\">salut</option>\n</select>")
}
