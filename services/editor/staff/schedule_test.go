package staff_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
)

func TestScheduledBulletinSurvivesARestartOfTheWholeHubAndGoesOutOnTime(t *testing.T) {
	e := newEnv(t)
	tok := e.token("planner", accounts.Publisher)
	at := t0.Add(time.Hour)
	src := "---\nid: mascaretes\ntitle: Mascaretes al bus\npublish_at: " + at.Format(time.RFC3339) + "\n---\nCal portar mascareta.\n"
	st, body := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", src)
	if st != http.StatusAccepted || body["scheduled"] == nil {
		t.Fatalf("schedule: %d %v", st, body)
	}
	stop := e.background()
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

	// The whole hub goes down and comes back: server, editor and its runner.
	e.nats.Restart()
	e.start()
	stop = e.background()
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
	if got := e.audited(audit.Publish); len(got) != 1 || got[0].Actor != "token:planner" || got[0].Via != "schedule" || got[0].Target != "mascaretes@1" {
		t.Errorf("audit of the scheduled publish: %+v", got)
	}
}

// Several editor replicas each run the schedule runner: a due bulletin goes out once,
// with one audit event, whichever replica takes it.
func TestEditorReplicasPublishAScheduleOnce(t *testing.T) {
	e := newEnv(t)
	second, err := staff.NewServiceWith(e.cfg, e.nats.Connect("editor-2").JS, nil, staff.Options{Now: e.clock.Now, ScheduleTick: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tok := e.token("planner", accounts.Publisher)
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		src := "---\nid: " + id + "\ntitle: Hora\npublish_at: " + t0.Add(time.Hour).Format(time.RFC3339) + "\n---\nText.\n"
		if st, body := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", src); st != http.StatusAccepted {
			t.Fatalf("schedule %s: %d %v", id, st, body)
		}
	}
	e.background()
	runBackground(t, second)
	e.clock.Add(time.Hour)
	natstest.WaitFor(t, 10*time.Second, "every schedule to go out", func() bool {
		_, body := e.apiCall(tok, "GET", "/api/schedules", "", "")
		return len(body["schedules"].([]any)) == 0
	})
	time.Sleep(100 * time.Millisecond) // more ticks of both runners
	if got := e.audited(audit.Publish); len(got) != 5 {
		t.Errorf("%d scheduled publishes audited, want 5 (once each): %+v", len(got), got)
	}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		if rev, _, err := e.pub.Latest(context.Background(), id); err != nil || rev.Rev != 1 {
			t.Errorf("%s: %v, %v; want revision 1", id, rev, err)
		}
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

// While a runner sends a schedule out, staff are told to wait rather than promised a
// cancellation that can no longer stop it.
func TestAScheduleGoingOutCannotBeCancelledOrOverridden(t *testing.T) {
	e := newEnv(t)
	tok := e.token("planner", accounts.Publisher)
	src := "---\nid: ara\ntitle: Ara\npublish_at: " + t0.Add(time.Hour).Format(time.RFC3339) + "\n---\nText.\n"
	if st, _ := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", src); st != http.StatusAccepted {
		t.Fatalf("schedule: %d", st)
	}
	// What a runner's claim looks like while it publishes.
	kv, err := e.conn.JS.KeyValue(context.Background(), bus.BucketSchedules)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := kv.Get(context.Background(), "ara")
	if err != nil {
		t.Fatal(err)
	}
	var claimed map[string]any
	if err := json.Unmarshal(entry.Value(), &claimed); err != nil {
		t.Fatal(err)
	}
	claimed["claim"] = map[string]any{"holder": "runner-x", "until": time.Now().Add(time.Minute)}
	data, _ := json.Marshal(claimed)
	if _, err := kv.Put(context.Background(), "ara", data); err != nil {
		t.Fatal(err)
	}
	for _, call := range []struct{ method, path, body string }{
		{"DELETE", "/api/schedules/ara", ""},
		{"POST", "/api/bulletins", "---\nid: ara\ntitle: Ara\n---\nUn altre text.\n"},
		{"POST", "/api/bulletins/ara/retract", ""},
	} {
		st, body := e.apiCall(tok, call.method, call.path, "text/markdown", call.body)
		if msg, _ := body["error"].(map[string]any)["message"].(string); st != http.StatusConflict || !strings.Contains(msg, "is being published right now") {
			t.Errorf("%s %s: %d %v", call.method, call.path, st, body)
		}
	}
	if _, _, err := e.pub.Latest(context.Background(), "ara"); !errors.Is(err, bus.ErrNotFound) {
		t.Errorf("something was published meanwhile: %v", err)
	}
}
