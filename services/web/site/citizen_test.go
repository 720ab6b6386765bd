package site_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// mustContain fails t for every want that body lacks.
func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func mustLack(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("%s shows %q", what, b)
		}
	}
}

// A shared link shows a title and an excerpt; the icon exists; the stylesheet follows
// the system's dark setting and prints cleanly.
func TestSharingMetaIconAndSchemes(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "confinament", Title: "Mesures de confinament", Body: "El **paer en cap** informa que es tanquen els parcs.\n\nMés detalls."})
	e.waitRecord("confinament", 1, delivery.Delivered)

	ca := e.get("/ca/", nil).body
	mustContain(t, "/ca/", ca, `<meta name="description" content="Comunicats de la Paeria de Lleida`,
		`<link rel="canonical" href="`+testBase+`/ca/">`, `<meta property="og:type" content="website">`,
		`<meta property="og:url" content="`+testBase+`/ca/">`, `<meta property="og:locale" content="ca_ES">`,
		`<meta property="og:title" content="Informació COVID-19">`, `<meta name="color-scheme" content="light dark">`,
		`<link rel="icon" href="/static/favicon.ico?v=`)
	mustContain(t, "/es/", e.get("/es/", nil).body, `<meta property="og:locale" content="es_ES">`,
		`<meta name="description" content="Comunicados de la Paeria de Lleida`)
	perm := e.get("/bulletins/confinament", nil).body
	mustContain(t, "the permalink", perm, `<meta property="og:type" content="article">`,
		`<meta property="og:title" content="Mesures de confinament">`,
		`<meta name="description" content="El paer en cap informa que es tanquen els parcs. Més detalls.">`,
		`<meta property="og:description" content="El paer en cap informa que es tanquen els parcs. Més detalls.">`,
		`<meta property="og:url" content="`+testBase+`/bulletins/confinament">`)
	if nf := e.get("/nowhere", nil).body; strings.Contains(nf, "og:url") {
		t.Errorf("a 404 page invites sharing itself")
	}

	// The icon: where browsers ask unasked, and versioned from the page.
	for _, c := range []struct{ path, cache string }{{"/favicon.ico", "no-cache"}, {iconHref(t, ca), "immutable"}} {
		r := e.get(c.path, nil)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/x-icon" ||
			!strings.Contains(r.header.Get("Cache-Control"), c.cache) || !bytes.HasPrefix(r.raw, []byte{0, 0, 1, 0, 1, 0}) ||
			!bytes.Contains(r.raw, []byte("\x89PNG")) {
			t.Errorf("GET %s: %d %v, %d bytes", c.path, r.status, r.header, len(r.raw))
		}
	}

	css := e.get(assetHref(t, ca, "style.css"), nil).body
	mustContain(t, "style.css", css, "@media (prefers-color-scheme:dark)", "@media print")
}

func iconHref(t *testing.T, page string) string { return assetHref(t, page, "favicon.ico") }

// assetHref is the versioned URL of a static asset the page links.
func assetHref(t *testing.T, page, name string) string {
	t.Helper()
	i := strings.Index(page, "/static/"+name+"?v=")
	if i < 0 {
		t.Fatalf("the page links no %s", name)
	}
	return page[i : i+strings.IndexByte(page[i:], '"')]
}

// Every page invites readers to the council's channels, in their language, as set.
func TestFollowTheChannels(t *testing.T) {
	const yt = "https://www.youtube.com/@paeria-test"
	cases := []struct {
		name              string
		telegram, youtube string
		want, lack        []string
	}{
		{"defaults", "https://t.me/lapaeriaexplica", "", []string{`<a href="https://t.me/lapaeriaexplica" rel="noopener">Rep els comunicats al mòbil al canal de Telegram «La Paeria explica»</a>`},
			[]string{"youtube.com"}},
		{"both", "https://t.me/lapaeriaexplica", yt, []string{`href="https://t.me/lapaeriaexplica"`, `<a href="` + yt + `" rel="noopener">Mira les rodes de premsa en directe`}, nil},
		{"none", "", "", nil, []string{`class="follow"`, "t.me"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.TelegramURL, cfg.YouTubeURL = c.telegram, c.youtube
			e := newEnv(t, cfg)
			ca := e.get("/ca/", nil).body
			mustContain(t, "/ca/", ca, c.want...)
			mustLack(t, "/ca/", ca, c.lack...)
			if c.telegram != "" {
				mustContain(t, "/es/", e.get("/es/", nil).body, "Recibe los comunicados en el móvil en el canal de Telegram «La Paeria explica»")
				mustContain(t, "a 404 page", e.get("/nowhere", nil).body, `href="`+c.telegram+`"`)
			}
		})
	}
}

// A live announcement shows its start at once, and says where its link will be until
// YouTube has one.
func TestLiveStartBeforeTheLink(t *testing.T) {
	e := newEnv(t, testConfig())
	start := time.Date(2030, 3, 16, 11, 0, 0, 0, time.UTC)
	e.publish(&bulletin.Bulletin{ID: "roda", Title: "Roda de premsa", Body: "En directe.",
		Channels: []string{bulletin.YouTube, bulletin.Web}, Live: &bulletin.Live{Start: start, Title: "Roda"}})
	e.waitRecord("roda", 1, delivery.Delivered)
	for _, p := range []string{"/ca/", "/bulletins/roda"} {
		mustContain(t, p, e.get(p, nil).body, `Comença <time datetime="2030-03-16T11:00:00Z">16/03/2030 12:00</time>`,
			`<span class="pending">l&#39;enllaç a l&#39;emissió apareixerà aquí</span>`)
	}
	mustContain(t, "/es/", e.get("/es/", nil).body, "el enlace a la emisión aparecerá aquí")
	e.putYouTube("roda", 1, delivery.Delivered, delivery.Ref{URL: "https://www.youtube.com/watch?v=abc"})
	r := e.waitBody("/ca/", nil, http.StatusOK, "watch?v=abc")
	mustContain(t, "/ca/", r.body, "16/03/2030 12:00")
	mustLack(t, "/ca/", r.body, "apareixerà aquí")
}

// The front page keeps each bulletin's structure, and shows urgent ones whole.
func TestFrontPageExcerpts(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "telefons", Title: "Telèfons d'atenció", Body: "La Paeria atén per telèfon.\n\n" +
		"| Servei | Telèfon | Horari |\n|---|---|---|\n| Atenció ciutadana | 973 700 300 | 9-14 |\n| Guàrdia Urbana | 092 | 24 h |\n| Serveis socials | 973 700 400 | 9-14 |\n\nI prou."})
	e.publish(&bulletin.Bulletin{ID: "consells", Title: "Consells", Body: "Recordeu:\n\n- mans\n- mascareta\n- distància\n- ventilar\n- <script>casa</script>"})
	last := strings.Repeat("Cal quedar-se a casa. ", 30) + "FINAL URGENT"
	e.publish(&bulletin.Bulletin{ID: "urgent", Title: "Confinament", Urgent: true, Body: "Primer.\n\n- a\n- b\n- c\n- d\n\n" + last})
	e.waitRecord("urgent", 1, delivery.Delivered)

	ca := e.get("/ca/", nil).body
	mustContain(t, "/ca/", ca, "<p>La Paeria atén per telèfon.</p>",
		`<p class="table-note">Taula (3 files): <em>Servei</em> · <em>Telèfon</em> · <em>Horari</em></p>`,
		`<ul><li>mans</li><li>mascareta</li><li>distància</li><li class="more-items">i 2 més</li></ul>`,
		`<p class="more" lang="ca"><a href="/bulletins/telefons">Llegeix-lo sencer</a></p>`,
		"FINAL URGENT", "<li>d</li>")
	mustLack(t, "/ca/", ca, "Servei | Telèfon", "973 700 300", "<script>casa")
	mustContain(t, "/es/", e.get("/es/", nil).body, "Tabla (3 filas)", "y 2 más", "Leer completo")
}
