package desk_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
)

var nuria = desk.Actor{Name: "núria", Role: accounts.Writer, Via: "ui"}

// A publish names the draft it publishes and the revision the publisher opened; the
// draft goes only if its author did not change it since, and only then is its removal
// audited. A draft named without a revision goes only if it holds the text published:
// a client's draft_of alone deletes nobody's work.
func TestPublishRemovesOnlyTheDraftItPublished(t *testing.T) {
	opened := desk.Fields{ID: "avis", Title: "Avís", Lang: "ca", Channels: []string{"web"}, Body: "Primera versió."}
	tests := []struct {
		name       string
		changeTo   string // núria's text saved after anna opened it; "" for none
		sendRev    bool
		schedule   bool
		wantKept   bool
		wantAudits int
	}{
		{"unchanged, revision sent", "", true, false, false, 1},
		{"changed meanwhile, revision sent", "Segona versió, més llarga.", true, false, true, 0},
		{"changed meanwhile, scheduled", "Segona versió, més llarga.", true, true, true, 0},
		{"unchanged, scheduled", "", true, true, false, 1},
		{"no revision, same text", "", false, false, false, 1},
		{"no revision, other text", "Segona versió, més llarga.", false, false, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, log := newDesk(t)
			ctx := context.Background()
			if err := d.SaveDraft(ctx, nuria, opened, 0); err != nil {
				t.Fatal(err)
			}
			dr, err := d.DraftBy(ctx, "avis", "núria")
			if err != nil || dr.Rev == 0 {
				t.Fatalf("the draft as anna opens it: %+v, %v", dr, err)
			}
			if tt.changeTo != "" {
				later := opened
				later.Body = tt.changeTo
				if err := d.SaveDraft(ctx, nuria, later, 0); err != nil {
					t.Fatal(err)
				}
			}
			in := desk.Intent{New: true, DraftOf: "núria"}
			if tt.sendRev {
				in.DraftRev = dr.Rev
			}
			f := opened
			if tt.schedule {
				f.PublishAt = now.Add(time.Hour).Format(time.RFC3339)
			}
			out, err := d.Publish(ctx, anna, f.Source(), in)
			if err != nil {
				t.Fatal(err)
			}
			kept, err := d.DraftBy(ctx, "avis", "núria")
			if tt.wantKept {
				if err != nil || (tt.changeTo != "" && kept.Fields.Body != tt.changeTo) {
					t.Fatalf("núria's draft after the publish: %+v, %v; want her newer text kept", kept, err)
				}
				if !slices.Equal(out.KeptDrafts, []string{"núria"}) {
					t.Errorf("publisher told of kept drafts %v, want [núria]", out.KeptDrafts)
				}
			} else {
				if err == nil {
					t.Fatalf("núria's draft is still there after it was published: %+v", kept)
				}
				if len(out.KeptDrafts) != 0 {
					t.Errorf("publisher told %v were kept", out.KeptDrafts)
				}
			}
			events, err := log.Recent(ctx, 20)
			if err != nil {
				t.Fatal(err)
			}
			var removals []audit.Event
			for _, e := range events {
				if e.Action == audit.DeleteDraft {
					removals = append(removals, e)
				}
			}
			if len(removals) != tt.wantAudits {
				t.Fatalf("%d draft removals audited, want %d: %+v", len(removals), tt.wantAudits, removals)
			}
			for _, e := range removals {
				if e.Actor != "anna" || !strings.Contains(e.Detail, "draft of núria") || !strings.Contains(e.Detail, "done by") {
					t.Errorf("removal audit %+v does not name the draft and the publish", e)
				}
			}
		})
	}
}

// A colleague's draft scheduled by a publisher keeps its writer in the schedule, so the
// revision the runner publishes names both, as an immediate publish does.
func TestScheduledDraftKeepsItsWriter(t *testing.T) {
	d, _ := newDesk(t)
	ctx := context.Background()
	f := desk.Fields{ID: "avis", Title: "Avís", Lang: "ca", Channels: []string{"web"}, Body: "Text.",
		PublishAt: now.Add(time.Hour).Format(time.RFC3339)}
	if err := d.SaveDraft(ctx, nuria, f, 0); err != nil {
		t.Fatal(err)
	}
	dr, _ := d.DraftBy(ctx, "avis", "núria")
	if _, err := d.Publish(ctx, anna, f.Source(), desk.Intent{New: true, DraftOf: "núria", DraftRev: dr.Rev}); err != nil {
		t.Fatal(err)
	}
	e, err := d.Scheduled(ctx, "avis")
	if err != nil || e == nil {
		t.Fatalf("schedule: %+v, %v", e, err)
	}
	if e.Author != "anna" || e.Writer != "núria" {
		t.Errorf("schedule names author %q and writer %q, want anna and núria", e.Author, e.Writer)
	}
}

// Saving a draft and marking it ready at the same moment lose neither: each write is
// compare-and-set on the revision it read, and re-read when the other got in first.
func TestConcurrentSaveAndMarkLoseNothing(t *testing.T) {
	d, _ := newDesk(t)
	ctx := context.Background()
	f := desk.Fields{ID: "avis", Title: "Avís", Lang: "ca", Channels: []string{"web"}, Body: "v0"}
	if err := d.SaveDraft(ctx, nuria, f, 0); err != nil {
		t.Fatal(err)
	}
	for round := range 15 {
		if _, err := d.MarkReady(ctx, nuria, "avis", "núria", false); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		wg.Go(func() {
			_, err := d.MarkReady(ctx, nuria, "avis", "núria", true)
			errs <- err
		})
		for i := range 3 {
			wg.Go(func() {
				g := f
				g.Body = "v" + string(rune('a'+round)) + string(rune('0'+i))
				errs <- d.SaveDraft(ctx, nuria, g, 0)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		dr, err := d.DraftBy(ctx, "avis", "núria")
		if err != nil {
			t.Fatal(err)
		}
		if !dr.Ready {
			t.Fatalf("round %d: the ready mark was lost to a save made at the same moment", round)
		}
		if !strings.HasPrefix(dr.Fields.Body, "v"+string(rune('a'+round))) {
			t.Fatalf("round %d: the text is %q, not one of this round's saves", round, dr.Fields.Body)
		}
	}
}
