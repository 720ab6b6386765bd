package staff_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/schedule"
)

// runner runs the hub's schedule runner on the test clock until the returned stop.
func (e *env) runner() (stop func()) {
	e.t.Helper()
	store, err := schedule.NewStore(context.Background(), e.conn.JS)
	if err != nil {
		e.t.Fatal(err)
	}
	r := schedule.NewRunner(store, e.pub, slog.New(slog.DiscardHandler), e.clock.Now)
	r.Tick = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	return func() { cancel(); <-done }
}

func TestScheduledBulletinSurvivesARestartOfTheWholeHubAndGoesOutOnTime(t *testing.T) {
	e := newEnv(t)
	tok := e.token("planner", accounts.Publisher)
	at := t0.Add(time.Hour)
	src := "---\nid: mascaretes\ntitle: Mascaretes al bus\npublish_at: " + at.Format(time.RFC3339) + "\n---\nCal portar mascareta.\n"
	st, body := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", src)
	if st != http.StatusAccepted || body["scheduled"] == nil {
		t.Fatalf("schedule: %d %v", st, body)
	}
	stop := e.runner()
	// Another one, scheduled then cancelled from the UI: it never goes out.
	b := e.loggedIn("anna", accounts.Publisher)
	if r := b.post("/compose", composeForm("publish", "new", "1", "id", "cancellat", "title", "Cancel·lat", "body", "No surt.",
		"publish_at", at.In(mustLoc(t)).Format("2006-01-02T15:04"))); r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "done=scheduled") {
		t.Fatalf("schedule from the UI: %d %s", r.status, r.body)
	}
	if r := b.get("/"); !strings.Contains(r.body, "Mascaretes al bus") || !strings.Contains(r.body, "Cancel·lat") {
		t.Error("the list does not show the scheduled bulletins")
	}
	// Changing it: the form comes back with the scheduled text and time.
	r := b.get("/bulletins/cancellat/edit")
	if !strings.Contains(r.body, "No surt.") || !strings.Contains(r.body, `value="`+at.In(mustLoc(t)).Format("2006-01-02T15:04")+`"`) || !strings.Contains(r.body, "This is the scheduled text") {
		t.Errorf("change form: %d", r.status)
	}
	if r := b.post("/compose", composeForm("publish", "id", "cancellat", "title", "Cancel·lat", "body", "Encara no surt.",
		"publish_at", at.Add(time.Hour).In(mustLoc(t)).Format("2006-01-02T15:04"))); r.status != http.StatusSeeOther {
		t.Fatalf("reschedule from the UI: %d %s", r.status, r.body)
	}
	if r := b.post("/bulletins/cancellat/cancel-schedule", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	stop()

	// The whole hub goes down and comes back: server, editor, runner.
	e.nats.Restart()
	e.start()
	stop = e.runner()
	defer stop()

	e.clock.Add(59 * time.Minute)
	time.Sleep(200 * time.Millisecond) // ten runner ticks: a lower bound, "not earlier than"
	if _, _, err := e.pub.Latest(context.Background(), "mascaretes"); !errors.Is(err, bus.ErrNotFound) {
		t.Fatalf("published a minute early: %v", err)
	}
	e.clock.Add(time.Minute)
	natstest.WaitFor(t, 10*time.Second, "the scheduled bulletin on the bus", func() bool {
		_, _, err := e.pub.Latest(context.Background(), "mascaretes")
		return err == nil
	})
	rev, _, _ := e.pub.Latest(context.Background(), "mascaretes")
	if rev.Rev != 1 || rev.Author != "token:planner" {
		t.Errorf("published %s by %s", rev.Key(), rev.Author)
	}
	time.Sleep(100 * time.Millisecond)
	if _, _, err := e.pub.Latest(context.Background(), "cancellat"); !errors.Is(err, bus.ErrNotFound) {
		t.Errorf("a cancelled schedule went out: %v", err)
	}
	if got := e.audited(audit.Schedule); len(got) != 3 {
		t.Errorf("audit schedules: %+v", got)
	}
	if got := e.audited(audit.CancelSchedule); len(got) != 1 || got[0].Target != "cancellat" {
		t.Errorf("audit cancel: %+v", got)
	}
}

func TestRescheduleReplacesTheTimeAndPublishingNowCancelsTheSchedule(t *testing.T) {
	e := newEnv(t)
	tok := e.token("planner", accounts.Publisher)
	src := func(at time.Time, body string) string {
		return "---\nid: horaris\ntitle: Horaris\npublish_at: " + at.Format(time.RFC3339) + "\n---\n" + body + "\n"
	}
	e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", src(t0.Add(time.Hour), "Primer."))
	if st, _ := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", src(t0.Add(2*time.Hour), "Segon.")); st != http.StatusAccepted {
		t.Fatalf("reschedule: %d", st)
	}
	_, body := e.apiCall(tok, "GET", "/api/schedules", "", "")
	list := body["schedules"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["at"] != t0.Add(2*time.Hour).Format(time.RFC3339) {
		t.Errorf("schedules after a change: %v", list)
	}
	// Published now, without publish_at: the schedule must not send the old text later.
	if st, _ := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", "---\nid: horaris\ntitle: Horaris\n---\nAra.\n"); st != http.StatusCreated {
		t.Fatalf("publish now: %d", st)
	}
	_, body = e.apiCall(tok, "GET", "/api/schedules", "", "")
	if list := body["schedules"].([]any); len(list) != 0 {
		t.Errorf("schedule left after publishing now: %v", list)
	}
	if st, _ := e.apiCall(tok, "DELETE", "/api/schedules/horaris", "", ""); st != http.StatusNotFound {
		t.Errorf("cancel of no schedule: %d", st)
	}
}

func mustLoc(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
