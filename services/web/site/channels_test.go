package site_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// A bulletin appears on the page only while it names the web channel.
func TestBulletinFollowsItsChannels(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "nomes-telegram", Title: "Només per Telegram", Channels: []string{bulletin.Telegram}, Body: "T."})
	e.publish(&bulletin.Bulletin{ID: "marcador", Title: "Marcador", Body: "M."})
	e.waitRecord("marcador", 1, delivery.Delivered) // the worker is past the first one
	if rec, _, _ := e.store.Get(t.Context(), "nomes-telegram", bulletin.Web); rec != nil {
		t.Errorf("a bulletin not meant for the web has a web record: %+v", rec)
	}
	if r := e.get("/bulletins/nomes-telegram", nil); r.status != http.StatusNotFound {
		t.Errorf("permalink of a bulletin never on the web: %d, want 404", r.status)
	}
	if strings.Contains(e.get("/ca/", nil).body, "Només per Telegram") {
		t.Errorf("a Telegram-only bulletin is on the page")
	}

	// Staff add the web channel: it appears.
	e.publish(&bulletin.Bulletin{ID: "nomes-telegram", Title: "Ara també al web", Channels: []string{bulletin.Telegram, bulletin.Web}, Body: "T."})
	rec := e.waitRecord("nomes-telegram", 2, delivery.Delivered)
	if rec.Ref.URL != testBase+"/bulletins/nomes-telegram" {
		t.Errorf("record URL %q", rec.Ref.URL)
	}
	e.waitBody("/ca/", nil, http.StatusOK, "Ara també al web")

	// Staff take it off the web: it goes, and its permalink says so.
	e.publish(&bulletin.Bulletin{ID: "nomes-telegram", Title: "Ara també al web", Channels: []string{bulletin.Telegram}, Body: "T."})
	e.waitRecord("nomes-telegram", 3, delivery.Retracted)
	e.waitBody("/bulletins/nomes-telegram", nil, http.StatusGone, "retirat")
	if strings.Contains(e.get("/ca/", nil).body, "Ara també al web") {
		t.Errorf("a bulletin taken off the web is still on the page")
	}
}

// Before the feed is rebuilt from the bus the page says it is starting; it never
// serves a partial feed as if it were whole.
func TestPageAnswers503UntilTheFeedIsRebuilt(t *testing.T) {
	e := newEnv(t, testConfig())
	conn := e.srv.Connect("not-running")
	svc, err := site.NewService(testConfig(), conn.JS, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	h := svc.Handler() // Run was never called: nothing has been read from the bus
	for _, path := range []string{"/", "/es/", "/bulletins/x", "/feed.atom", "/healthz"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s: %d, want 503", path, rec.Code)
		}
		if path != "/healthz" && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", path)
		}
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodHead, "/es/", nil)
	h.ServeHTTP(rec, req)
	if rec.Body.Len() != 0 {
		t.Errorf("HEAD returned a body")
	}
}
