package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

func TestConditionalGetCompressionAndSecurityHeaders(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "horaris", Title: "Horaris del bus urbà", Body: strings.Repeat("Les línies 1 a 8 circulen cada 30 minuts. ", 40)})
	e.waitRecord("horaris", 1, delivery.Delivered)

	for _, path := range []string{"/ca/", "/", "/bulletins/horaris", "/feed.atom", "/feed.json"} {
		t.Run(strings.Trim(strings.ReplaceAll(path, "/", "_"), "_")+"_revalidates", func(t *testing.T) {
			first := e.get(path, nil)
			if first.status != http.StatusOK {
				t.Fatalf("status %d", first.status)
			}
			h := first.header
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") ||
				!strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP %q", csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", h.Get("X-Content-Type-Options"))
			}
			if h.Get("Cache-Control") == "" || h.Get("ETag") == "" || h.Get("Last-Modified") == "" {
				t.Fatalf("no cache headers: %v", h)
			}
			etag := h.Get("ETag")
			if r := e.get(path, map[string]string{"If-None-Match": etag}); r.status != http.StatusNotModified || len(r.raw) != 0 {
				t.Errorf("If-None-Match %s: %d with %d bytes, want 304 and none", etag, r.status, len(r.raw))
			}
			if r := e.get(path, map[string]string{"If-Modified-Since": h.Get("Last-Modified")}); r.status != http.StatusNotModified {
				t.Errorf("If-Modified-Since: %d, want 304", r.status)
			}
			if r := e.get(path, map[string]string{"If-None-Match": `"something-else"`}); r.status != http.StatusOK {
				t.Errorf("stale If-None-Match: %d, want 200", r.status)
			}
			gz := e.get(path, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
			if gz.header.Get("Content-Encoding") != "gzip" || len(gz.raw) >= len(first.raw) || gz.body != first.body {
				t.Errorf("gzip: encoding %q, %d bytes vs %d plain, same body %v", gz.header.Get("Content-Encoding"),
					len(gz.raw), len(first.raw), gz.body == first.body)
			}
			if r := e.get(path, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": gz.header.Get("ETag")}); r.status != http.StatusNotModified {
				t.Errorf("If-None-Match of the gzipped variant: %d, want 304", r.status)
			}
			if r := e.get(path, map[string]string{"Accept-Encoding": "gzip;q=0"}); r.header.Get("Content-Encoding") != "" {
				t.Errorf("gzip;q=0 still got gzip")
			}
		})
	}

	// A change makes the old validators stale: the reader gets the new page.
	old := e.get("/ca/", nil).header.Get("ETag")
	e.publish(&bulletin.Bulletin{ID: "horaris", Title: "Horaris del bus urbà (nou)", Body: "Cada hora."})
	e.waitRecord("horaris", 2, delivery.Delivered)
	if r := e.get("/ca/", map[string]string{"If-None-Match": old}); r.status != http.StatusOK || !strings.Contains(r.body, "(nou)") {
		t.Errorf("after an edit the old ETag still answers %d", r.status)
	}

	// Assets are our own, versioned and cached for long.
	css := e.get("/ca/", nil).body
	i := strings.Index(css, `href="/static/style.css?v=`)
	if i < 0 {
		t.Fatal("no stylesheet link")
	}
	href := css[i+6 : i+6+strings.IndexByte(css[i+6:], '"')]
	if r := e.get(href, nil); r.status != http.StatusOK || !strings.Contains(r.header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET %s: %d %v", href, r.status, r.header)
	}
	// What the browser loads by itself: src= and <link> tags other than canonical, which
	// names the page's own public address. Links a reader clicks (the channels to
	// follow) may leave the page.
	for _, bad := range []string{"//", "http:", "https:", "fonts.googleapis", "cdn"} {
		for _, p := range []string{"/ca/", "/bulletins/horaris"} {
			b := e.get(p, nil).body
			if strings.Contains(b, `src="`+bad) {
				t.Errorf("%s loads an external asset (%s)", p, bad)
			}
			for _, tag := range strings.Split(b, "<link ")[1:] {
				tag = tag[:strings.IndexByte(tag, '>')]
				if !strings.Contains(tag, `rel="canonical"`) && strings.Contains(tag, `href="`+bad) {
					t.Errorf("%s loads an external asset (%s): <link %s>", p, bad, tag)
				}
			}
		}
	}
}

func TestRequestsThatAreNotPagesGetClearAnswers(t *testing.T) {
	e := newEnv(t, testConfig())
	for _, c := range []struct {
		name, method, path string
		status             int
	}{
		{"unknown_path", "GET", "/wp-admin.php", 404},
		{"unknown_bulletin", "GET", "/bulletins/does-not-exist", 404},
		{"traversal_attempt", "GET", "/bulletins/..%2f..%2fetc%2fpasswd", 404},
		{"unknown_asset", "GET", "/static/evil.js", 404},
		{"post_to_page", "POST", "/", 405},
		{"delete_bulletin", "DELETE", "/bulletins/x", 405},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, e.url+c.path, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != c.status {
				t.Errorf("%s %s: %d, want %d", c.method, c.path, res.StatusCode, c.status)
			}
			if res.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("error response without CSP")
			}
		})
	}
}

// A message on the bus that is not a revision must not take the page down, stop the
// web channel, or hide any other bulletin — not even after a restart.
func TestUnreadableRevisionOnTheBusLosesNothing(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "abans", Title: "Abans del missatge trencat", Body: "A."})
	subject, err := bus.RevisionSubject("trencat")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.conn.JS.Publish(context.Background(), subject, []byte(`{"id":"trencat","rev":`)); err != nil {
		t.Fatal(err)
	}
	e.publish(&bulletin.Bulletin{ID: "despres", Title: "Després del missatge trencat", Body: "B."})
	e.waitRecord("despres", 1, delivery.Delivered)
	r := e.waitBody("/ca/", nil, http.StatusOK, "Després del missatge trencat")
	if !strings.Contains(r.body, "Abans del missatge trencat") {
		t.Errorf("the bulletin before the broken message is missing")
	}
	e.stop()
	e.start(testConfig())
	r = e.get("/ca/", nil)
	if !strings.Contains(r.body, "Abans del missatge trencat") || !strings.Contains(r.body, "Després del missatge trencat") {
		t.Errorf("after a restart the feed lost bulletins around the broken message:\n%s", r.body)
	}
}

// The first load of / on a phone — page, stylesheet, script and icon, gzipped — stays
// under 30 KB with a full page of long bulletins, two of them urgent (shown whole) and
// each with a long list and a table.
func TestFirstLoadUnder30KB(t *testing.T) {
	e := newEnv(t, testConfig())
	for i := range 25 {
		// Varied words, as real bulletins have: repeated text would gzip to nothing.
		words := prose(i, 1500) + "\n\n" + strings.Repeat("- "+prose(i+100, 12)+"\n", 30) +
			"\n| Servei | Telèfon |\n|---|---|\n" + strings.Repeat("| "+prose(i+200, 3)+" | 973 |\n", 30)
		b := &bulletin.Bulletin{ID: "comunicat-" + string(rune('a'+i)), Title: "Comunicat amb un títol prou llarg per ocupar dues línies al mòbil", Body: words}
		if i >= 23 {
			b.Urgent, b.Body = true, "Confinament perimetral de Lleida i el Segrià a partir de les 12 hores. "+prose(i, 500)
		}
		e.publish(b)
	}
	e.waitRecord("comunicat-y", 1, delivery.Delivered)
	gz := map[string]string{"Accept-Encoding": "gzip"}
	page := e.waitBody("/ca/", gz, http.StatusOK, "comunicat-y")
	if !strings.Contains(page.body, prose(24, 500)) {
		t.Fatal("the urgent bulletins are not shown whole")
	}
	total := len(page.raw)
	for _, asset := range []string{"style.css", "live.js", "favicon.ico"} {
		total += len(e.get(assetHref(t, page.body, asset), gz).raw)
	}
	if total > 30<<10 {
		t.Errorf("first load is %d bytes, over 30 KB", total)
	}
	t.Logf("first load of / with 20 long bulletins, 2 urgent: %d bytes", total)
}

// prose is n pseudo-random Catalan words, the same for the same seed.
func prose(seed, n int) string {
	vocab := strings.Fields("la paeria recorda que cal mantenir distància seguretat rentar-se mans sovint " +
		"confinament perimetral lleida segrià hores mascareta obligatòria transport públic botigues tancades " +
		"farmàcies obertes serveis socials atenció ciutadana telèfon horari matí tarda dilluns divendres " +
		"persones grans famílies infants escoles parcs jardins mercats ambulants alimentació bars restaurants")
	x := uint32(seed)*2654435761 + 1
	out := make([]string, n)
	for i := range out {
		x = x*1664525 + 1013904223
		out[i] = vocab[(x>>16)%uint32(len(vocab))]
	}
	return strings.Join(out, " ")
}
