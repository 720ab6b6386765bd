package schedule_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/schedule"
	"github.com/paeria/pregoner/shared/testenv"
)

// A colleague's draft scheduled by a publisher goes out naming both, as an immediate
// publish of it does: the writer survives the wait in the bucket.
func TestScheduledColleagueDraftNamesWriterAndPublisher(t *testing.T) {
	e := connect(t, natstest.Start(t))
	ctx := context.Background()
	en := entry("confinament", "Queda't a casa.", t0.Add(time.Minute))
	en.Writer = "núria"
	if err := e.store.Put(ctx, en); err != nil {
		t.Fatal(err)
	}
	runner(t, e, testenv.NewClock(t0.Add(time.Hour)))
	natstest.WaitFor(t, 20*time.Second, "the schedule to go out", func() bool {
		_, _, err := e.pub.Latest(ctx, "confinament")
		return err == nil
	})
	latest, _, err := e.pub.Latest(ctx, "confinament")
	if err != nil {
		t.Fatal(err)
	}
	if latest.Author != "anna" || latest.Writer != "núria" {
		t.Errorf("published revision names publisher %q and writer %q; want anna and núria", latest.Author, latest.Writer)
	}
}

// Entries written before Writer existed still decode, and go out naming only their
// author.
func TestEntryWithoutWriterStillDecodes(t *testing.T) {
	old := `{"bulletin":{"id":"avis","title":"T","lang":"ca","channels":["web"],"body":"x"},"at":"2020-03-14T20:00:00Z","author":"anna","created":"2020-03-14T19:00:00Z"}`
	var e schedule.Entry
	if err := json.Unmarshal([]byte(old), &e); err != nil {
		t.Fatal(err)
	}
	if e.Author != "anna" || e.Writer != "" || e.Bulletin == nil || e.Bulletin.ID != "avis" {
		t.Errorf("old entry decoded as %+v", e)
	}
	data, _ := json.Marshal(e)
	if strings.Contains(string(data), `"writer"`) {
		t.Errorf("an entry with no writer writes one: %s", data)
	}
}
