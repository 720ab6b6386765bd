package site

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/bulletin"
)

// FuzzRequest throws arbitrary paths, queries and headers at the page: it must never
// panic nor answer 5xx.
func FuzzRequest(f *testing.F) {
	cfg := DefaultConfig()
	fd := feed.New()
	at := time.Date(2020, 3, 14, 10, 0, 0, 0, time.UTC)
	for i, id := range []string{"confinament", "confinamiento", "mercat"} {
		lang, group := "ca", id
		if id == "confinamiento" {
			lang, group = "es", "confinament"
		}
		fd.Apply(&bulletin.Revision{ID: id, Rev: 1, Action: bulletin.Publish, At: at.Add(time.Duration(i) * time.Hour),
			Bulletin: &bulletin.Bulletin{ID: id, Title: "Títol " + id, Lang: lang, Group: group, Urgent: i == 2,
				Channels: []string{bulletin.Web}, Live: &bulletin.Live{Start: at}, Body: "**Cos** <script>x</script> [a](javascript:x)"}}, time.Time{})
	}
	fd.MarkReady()
	s, err := NewServer(cfg, fd, slog.New(slog.DiscardHandler))
	if err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	f.Add("/", "", "ca-ES,es;q=0.5", "gzip", `"x"`, "Mon, 02 Jan 2006 15:04:05 GMT")
	f.Add("/es/", "page=2", "*", "gzip;q=0, br", "*", "")
	f.Add("/bulletins/confinament", "", "es;q=abc", "x-gzip", `W/"a", "b"`, "garbage")
	f.Add("/feed.atom", "page=-1", "", "", "", "")
	f.Add("/static/style.css", "v=", ";;,,", ";q=", "", "")
	f.Fuzz(func(t *testing.T, path, query, lang, enc, inm, ims string) {
		u := &url.URL{Path: "/" + path, RawQuery: query}
		req, err := http.NewRequest(http.MethodGet, "http://x"+u.RequestURI(), nil)
		if err != nil {
			return // not a request a client could send
		}
		req.Header.Set("Accept-Language", lang)
		req.Header.Set("Accept-Encoding", enc)
		req.Header.Set("If-None-Match", inm)
		req.Header.Set("If-Modified-Since", ims)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("GET %s: %d", u.RequestURI(), rec.Code)
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s: no CSP", u.RequestURI())
		}
	})
}
