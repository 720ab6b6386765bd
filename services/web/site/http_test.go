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
	for _, bad := range []string{"//", "http:", "https:", "fonts.googleapis", "cdn"} {
		for _, p := range []string{"/ca/", "/bulletins/horaris"} {
			if b := e.get(p, nil).body; strings.Contains(b, `src="`+bad) || strings.Contains(b, `href="`+bad) {
				t.Errorf("%s loads an external asset (%s)", p, bad)
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

// The first load of / on a phone — page, stylesheet and script, gzipped — stays under
// 50 KB with a full page of long bulletins.
func TestFirstLoadUnder50KB(t *testing.T) {
	e := newEnv(t, testConfig())
	long := strings.Repeat("La Paeria recorda que cal mantenir la distància de seguretat i rentar-se les mans sovint. ", 200)
	for i := range 25 {
		e.publish(&bulletin.Bulletin{ID: "comunicat-" + string(rune('a'+i)), Title: "Comunicat amb un títol prou llarg per ocupar dues línies al mòbil", Body: long})
	}
	e.waitRecord("comunicat-y", 1, delivery.Delivered)
	gz := map[string]string{"Accept-Encoding": "gzip"}
	page := e.waitBody("/ca/", gz, http.StatusOK, "comunicat-y")
	total := len(page.raw)
	for _, asset := range []string{"style.css", "live.js"} {
		i := strings.Index(page.body, "/static/"+asset+"?v=")
		if i < 0 {
			t.Fatalf("no %s in the page", asset)
		}
		path := page.body[i : i+strings.IndexByte(page.body[i:], '"')]
		total += len(e.get(path, gz).raw)
	}
	if total > 50<<10 {
		t.Errorf("first load is %d bytes, over 50 KB", total)
	}
	t.Logf("first load of / with 20 long bulletins: %d bytes", total)
}
