package ui

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/schedule"
)

// testNow is the desk's clock here: 14 March 2020, 10:00 in Lleida.
var testNow = time.Date(2020, 3, 14, 10, 0, 0, 0, time.FixedZone("CET", 3600))

// harness serves the compose and retract handlers as one logged-in member, on a desk
// over a fresh embedded bus: the session and its second factor are staff's tests'.
type harness struct {
	t     *testing.T
	desk  *desk.Desk
	audit *audit.Log
	mux   *http.ServeMux
}

func newHarness(t *testing.T, u *accounts.User) *harness { return newHarnessOn(t, u, nil) }

// newHarnessOn is newHarness with before run on the bus first (what other services
// would have written there).
func newHarnessOn(t *testing.T, u *accounts.User, before func(*bus.Conn)) *harness {
	t.Helper()
	ctx := context.Background()
	conn := natstest.Start(t).Connect("ui-test")
	if before != nil {
		before(conn)
	}
	sched, err := schedule.NewStore(ctx, conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return testNow }
	log, err := audit.New(ctx, conn.JS, 1, clock)
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(ctx, desk.Deps{JS: conn.JS, Audit: log, Schedule: sched, WebBaseURL: "http://web.test", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(nil, d, log, Options{Location: madrid})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	as := func(h handler) http.HandlerFunc { return func(w http.ResponseWriter, r *http.Request) { h(w, r, u) } }
	mux.Handle("POST /compose", as(s.composePost))
	mux.Handle("POST /preview", as(s.previewJSON))
	mux.Handle("GET /bulletins/{id}/retract", as(s.retractAsk))
	mux.Handle("POST /bulletins/{id}/retract", as(s.retract))
	return &harness{t: t, desk: d, audit: log, mux: mux}
}

type answer struct {
	status   int
	body     string
	location string
}

func (h *harness) do(method, path string, form url.Values) answer {
	h.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, req)
	return answer{w.Code, html.UnescapeString(w.Body.String()), w.Header().Get("Location")}
}

func form(kv ...string) url.Values {
	v := url.Values{"lang": {"ca"}, "channels": {"telegram", "web"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = strings.Split(kv[i+1], "|") // channels: "telegram|youtube"
	}
	return v
}

var (
	anna  = &accounts.User{Name: "anna", Role: accounts.Publisher, Lang: "ca"}
	annaE = &accounts.User{Name: "anna", Role: accounts.Publisher, Lang: "en"}
)

// A live block without YouTube, and a start before the publish time, are refused at
// their fields in the member's language, from the preview on.
func TestComposeLiveProblemsInWords(t *testing.T) {
	h := newHarness(t, anna)
	tests := []struct {
		name  string
		form  url.Values
		field string
		want  string
	}{
		{"live_without_youtube", form("action", "preview", "new", "1", "id", "roda", "title", "Roda", "body", "x", "live_start", "2020-03-16T12:00"),
			"channels", "una emissió en directe només surt a YouTube: marqueu YouTube"},
		{"live_before_publish", form("action", "preview", "new", "1", "id", "roda", "title", "Roda", "body", "x", "channels", "youtube",
			"publish_at", "2020-03-16T12:00", "live_start", "2020-03-16T11:30"), "live_start", "16/03/2020 11:30 és abans que surti el butlletí (16/03/2020 12:00)"},
		{"live_in_the_past", form("action", "preview", "new", "1", "id", "roda", "title", "Roda", "body", "x", "channels", "youtube",
			"live_start", "2020-03-14T09:00"), "live_start", "14/03/2020 09:00 ja ha passat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do("POST", "/compose", tt.form)
			i := strings.Index(r.body, `data-for="`+tt.field+`">`)
			if r.status != http.StatusOK || i < 0 || !strings.Contains(r.body[i:min(i+400, len(r.body))], tt.want) {
				t.Errorf("%d: %q not at %s", r.status, tt.want, tt.field)
			}
			tt.form.Set("action", "publish")
			if r := h.do("POST", "/compose", tt.form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tt.want) {
				t.Errorf("publish: %d, want 422 with %q", r.status, tt.want)
			}
		})
	}
}

// A new bulletin's id is suggested from its title, in the form and to the script.
func TestComposeSuggestsTheID(t *testing.T) {
	h := newHarness(t, anna)
	r := h.do("POST", "/compose", form("action", "preview", "new", "1", "title", "Mesures de confinament a Lleida", "body", "x"))
	if !strings.Contains(r.body, `value="mesures-de-confinament-a-lleida"`) || !strings.Contains(r.body, "data-suggested") {
		t.Errorf("the id field does not hold the suggestion: %d", r.status)
	}
	r = h.do("POST", "/preview", form("new", "1", "title", "Àrea de salut", "body", "x"))
	if !strings.Contains(r.body, `"suggested_id":"area-de-salut"`) {
		t.Errorf("preview: %s", r.body)
	}
	// Publishing with no id publishes nothing: the suggestion comes back to check.
	r = h.do("POST", "/compose", form("action", "confirm", "confirmed", "1", "new", "1", "title", "Àrea de salut", "body", "x"))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="area-de-salut"`) || !strings.Contains(r.body, "Cal una adreça (id)") {
		t.Errorf("publish without id: %d", r.status)
	}
	if _, err := h.desk.Latest(context.Background(), "area-de-salut"); err == nil {
		t.Error("published under an id nobody saw")
	}
}

// Publishing now asks first, in a page step that needs no script; a time set
// schedules without asking, and the button says so.
func TestComposeConfirmsPublishingNow(t *testing.T) {
	h := newHarness(t, annaE)
	base := []string{"new", "1", "id", "mercats", "title", "Mercats", "body", "Obren."}
	r := h.do("POST", "/compose", form(append([]string{"action", "confirm"}, base...)...))
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="confirm-publish"`) || !strings.Contains(r.body, "This goes out now, on: telegram, web") {
		t.Fatalf("no confirmation step: %d", r.status)
	}
	if _, err := h.desk.Latest(context.Background(), "mercats"); err == nil {
		t.Fatal("published before it was confirmed")
	}
	r = h.do("POST", "/compose", form(append([]string{"action", "publish"}, base...)...))
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "done=published") {
		t.Fatalf("confirmed publish: %d %s", r.status, r.location)
	}
	// A scheduled one: the button reads Schedule, and it goes straight to the schedule.
	later := []string{"new", "1", "id", "piscines", "title", "Piscines", "body", "Obren.", "publish_at", "2020-03-20T10:00"}
	r = h.do("POST", "/compose", form(append([]string{"action", "preview"}, later...)...))
	if !strings.Contains(r.body, `data-later="Schedule">Schedule</button>`) {
		t.Errorf("the button does not say Schedule")
	}
	r = h.do("POST", "/compose", form(append([]string{"action", "confirm"}, later...)...))
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "done=scheduled") {
		t.Errorf("schedule: %d %s", r.status, r.location)
	}
	// An invalid bulletin is not offered for confirmation: its problems are shown.
	r = h.do("POST", "/compose", form("action", "confirm", "new", "1", "id", "buit", "title", "Buit", "body", ""))
	if strings.Contains(r.body, `id="confirm-publish"`) {
		t.Error("an invalid bulletin was offered for confirmation")
	}
}

// Retracting asks for a reason on a page of its own, and the audit event keeps it.
func TestRetractAsksForAReason(t *testing.T) {
	h := newHarness(t, annaE)
	ctx := context.Background()
	f := desk.Fields{ID: "mercats", Title: "Mercats", Channels: []string{"web"}, Body: "Obren."}
	if _, err := h.desk.Publish(ctx, actor(httptest.NewRequest("GET", "/", nil), annaE), f.Source(), desk.Intent{New: true}); err != nil {
		t.Fatal(err)
	}
	r := h.do("GET", "/bulletins/mercats/retract", nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, `name="reason"`) || !strings.Contains(r.body, "Retract “Mercats”?") {
		t.Fatalf("retract step: %d", r.status)
	}
	if rev, _ := h.desk.Latest(ctx, "mercats"); rev.Action == "retract" {
		t.Fatal("retracted by opening the step")
	}
	r = h.do("POST", "/bulletins/mercats/retract", url.Values{"reason": {"Wrong opening hours"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("retract: %d", r.status)
	}
	events, err := h.audit.Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Action == audit.Retract && strings.HasSuffix(e.Detail, "reason: Wrong opening hours") {
			return
		}
	}
	t.Errorf("the reason is not in the audit log: %+v", events)
}
