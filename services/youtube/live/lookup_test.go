package live_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/option"
	yt "google.golang.org/api/youtube/v3"

	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/services/youtube/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/ytfields"
)

// The look-up after a lost answer finds a broadcast by the bulletin's permalink on the
// last line of its description, or by the marker older versions wrote; these tests
// hold it to exactly the right broadcast.

// byID returns the sandbox's broadcast id; ok is false when it is gone.
func (e *env) byID(id string) (sandbox.Broadcast, bool) {
	i := slices.IndexFunc(e.sb.Broadcasts(), func(b sandbox.Broadcast) bool { return b.ID == id })
	if i < 0 {
		return sandbox.Broadcast{}, false
	}
	return e.sb.Broadcasts()[i], true
}

// insertAsBefore schedules a broadcast through the real client library as a version
// of pregoner before this one did, with the description it wrote then, and returns
// its id.
func (e *env) insertAsBefore(title, description string) string {
	e.t.Helper()
	conf := &oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, Endpoint: oauth2.Endpoint{TokenURL: e.api.URL + "/token"}}
	hc := conf.Client(context.Background(), &oauth2.Token{RefreshToken: refreshToken})
	api, err := yt.NewService(context.Background(), option.WithEndpoint(e.api.URL+"/"), option.WithHTTPClient(hc))
	if err != nil {
		e.t.Fatal(err)
	}
	got, err := api.LiveBroadcasts.Insert([]string{"snippet", "status"}, &yt.LiveBroadcast{
		Snippet: &yt.LiveBroadcastSnippet{Title: title, Description: description,
			ScheduledStartTime: e.clock.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)},
		Status: &yt.LiveBroadcastStatus{PrivacyStatus: "public"},
	}).Do()
	if err != nil {
		e.t.Fatalf("insert as an older version: %v", err)
	}
	return got.Id
}

// TestLostInsertReplyFindsItsOwnBroadcastNotASimilarID: after an insert whose answer
// was lost, the retry updates the broadcast it made and the retraction deletes it —
// never the broadcast of a bulletin whose id is one word longer or shorter, even when
// that one's text links to this bulletin.
func TestLostInsertReplyFindsItsOwnBroadcastNotASimilarID(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(e.config(nil))
	tests := []struct{ name, neighbour, lost string }{
		{"shorter_id_lost", "roda-premsa-paer", "roda-premsa"},
		{"longer_id_lost", "pla-xoc", "pla-xoc-comerc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := e.announcement(tc.neighbour, "Veí", "Vegeu també "+permalink(tc.lost)+"\n\nI res més.")
			if _, err := ch.Deliver(t.Context(), job(n, 1, delivery.Record{}, false)); err != nil {
				t.Fatalf("neighbour: %v", err)
			}
			neighbour := e.only(tc.neighbour)

			b := e.announcement(tc.lost, "Perdut", "Resposta perduda.")
			e.sb.Fail(sandbox.Fault{Kind: sandbox.LoseAnswer, Op: "insert"})
			if _, err := ch.Deliver(t.Context(), job(b, 1, delivery.Record{}, false)); err == nil {
				t.Fatal("lost answer not reported")
			}
			made := e.only(tc.lost).ID
			before := e.sb.Stats()
			ref, err := ch.Deliver(t.Context(), job(b, 1, delivery.Record{Rev: 1, State: delivery.Failed, Attempts: 1}, true))
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			after := e.sb.Stats()
			if !slices.Equal(ref.IDs, []string{made}) || after.Inserts != before.Inserts || after.Updates != before.Updates+1 {
				t.Errorf("retry named %v after %d inserts, %d updates; want %s found and updated, nothing inserted",
					ref.IDs, after.Inserts-before.Inserts, after.Updates-before.Updates, made)
			}
			if got, ok := e.byID(neighbour.ID); !ok || got != neighbour {
				t.Errorf("neighbour %s touched: %+v, want %+v", tc.neighbour, got, neighbour)
			}

			r := job(b, 2, delivery.Record{Rev: 1, State: delivery.Dead, Attempts: 3}, false)
			r.Revision.Action = bulletin.Retract
			if err := ch.Retract(t.Context(), r); err != nil {
				t.Fatalf("retract: %v", err)
			}
			if _, ok := e.byID(made); ok {
				t.Errorf("broadcast %s still scheduled after the retraction", made)
			}
			if _, ok := e.byID(neighbour.ID); !ok {
				t.Errorf("retracting %s deleted %s's broadcast", tc.lost, tc.neighbour)
			}
		})
	}
}

// TestEditAfterALostInsertReplyUpdatesItsBroadcast runs the worker: the first
// revision's insert answer is lost and the delivery gives up with no id recorded; the
// edit that follows finds that broadcast and updates it rather than making another,
// and leaves a similar id's broadcast alone.
func TestEditAfterALostInsertReplyUpdatesItsBroadcast(t *testing.T) {
	e := newEnv(t)
	e.worker(e.config(map[string]string{"YOUTUBE_MAX_ATTEMPTS": "1"}))
	e.publish(e.announcement("edicio-2", "Una altra", "Un altre directe."))
	e.waitState("edicio-2", 1, delivery.Delivered)
	neighbour := e.only("edicio-2")

	e.sb.Fail(sandbox.Fault{Kind: sandbox.LoseAnswer, Op: "insert"})
	e.publish(e.announcement("edicio", "Primera versió", "Directe."))
	if rec := e.waitState("edicio", 1, delivery.Dead); len(rec.Ref.IDs) != 0 {
		t.Fatalf("dead record names %v; want no id, as the answer was lost", rec.Ref.IDs)
	}
	made := e.only("edicio").ID

	e.publish(e.announcement("edicio", "Versió corregida", "Directe, amb l'hora corregida."))
	rec := e.waitState("edicio", 2, delivery.Delivered)
	bc := e.only("edicio")
	if bc.ID != made || !slices.Equal(rec.Ref.IDs, []string{made}) || bc.Title != "Versió corregida" {
		t.Errorf("edit: broadcast %+v, record %v; want %s updated to the new title", bc, rec.Ref.IDs, made)
	}
	if st := e.sb.Stats(); st.Inserts != 2 {
		t.Errorf("%d inserts; want 2 (one each), the edit an update", st.Inserts)
	}
	if got, _ := e.byID(neighbour.ID); got != neighbour {
		t.Errorf("edicio-2's broadcast touched: %+v", got)
	}
}

// TestBroadcastWithTheOlderMarkerIsFound: a broadcast an older version made, whose
// description ends with "[pregoner:<id>]", is still found after a lost answer — by a
// retry, an edit and a retraction, whatever WEB_BASE_URL was then — and the update
// rewrites its description without the marker. A longer id's is left alone.
func TestBroadcastWithTheOlderMarkerIsFound(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(e.config(nil))
	failed := delivery.Record{Rev: 1, State: delivery.Failed, Attempts: 1}
	tests := []struct {
		name string
		base string // WEB_BASE_URL when the older version wrote the description
		call func(b *bulletin.Bulletin) (delivery.Ref, error)
		gone bool // the call withdraws the broadcast
	}{
		{"retry_of_the_insert", webBase, func(b *bulletin.Bulletin) (delivery.Ref, error) {
			return ch.Deliver(t.Context(), job(b, 1, failed, true))
		}, false},
		{"edit_with_no_id_recorded", webBase, func(b *bulletin.Bulletin) (delivery.Ref, error) {
			return ch.Update(t.Context(), job(b, 2, failed, false))
		}, false},
		{"retraction", webBase, func(b *bulletin.Bulletin) (delivery.Ref, error) {
			j := job(b, 2, delivery.Record{Rev: 1, State: delivery.Dead, Attempts: 3}, false)
			j.Revision.Action = bulletin.Retract
			return delivery.Ref{}, ch.Retract(t.Context(), j)
		}, true},
		{"made_under_another_web_base", live.DefaultWebBaseURL, func(b *bulletin.Bulletin) (delivery.Ref, error) {
			return ch.Deliver(t.Context(), job(b, 1, failed, true))
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := "antic-" + strings.ReplaceAll(tc.name, "_", "-")
			older := func(id string) string {
				return e.insertAsBefore("Abans", "Directe.\n\n"+ytfields.Permalink(tc.base, id)+"\n"+ytfields.LegacyMarker(id))
			}
			made, longer := older(id), older(id+"-bis")
			neighbour, _ := e.byID(longer)
			before := e.sb.Stats()

			ref, err := tc.call(e.announcement(id, "Ara", "Directe."))
			if err != nil {
				t.Fatal(err)
			}
			after := e.sb.Stats()
			got, ok := e.byID(made)
			switch {
			case after.Inserts != before.Inserts:
				t.Errorf("%d inserts; want the older broadcast found, not another made", after.Inserts-before.Inserts)
			case tc.gone && ok:
				t.Errorf("older broadcast %s still scheduled after the retraction", made)
			case !tc.gone && (!ok || !slices.Equal(ref.IDs, []string{made})):
				t.Errorf("record names %v; want the older broadcast %s", ref.IDs, made)
			case !tc.gone && (got.Title != "Ara" || strings.Contains(got.Description, "[pregoner:") ||
				!strings.HasSuffix(got.Description, "\n"+permalink(id))):
				t.Errorf("older broadcast not rewritten without the marker: %+v", got)
			}
			if still, _ := e.byID(longer); still != neighbour {
				t.Errorf("%s-bis's older broadcast touched: %+v", id, still)
			}
		})
	}
}
