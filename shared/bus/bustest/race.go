// Package bustest checks that bus.Bulletins tells the truth under races, against any
// server: one embedded server in shared/bus's tests, the three-node cluster in deploy's.
// A race is only honest if every answer can be found on the bus afterwards.
package bustest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// Sample is a bulletin of id with body, on the web channel only.
func Sample(id, body string) *bulletin.Bulletin {
	return &bulletin.Bulletin{ID: id, Title: "T", Lang: "ca", Group: id, Channels: []string{bulletin.Web}, Body: body}
}

// raceTimeout bounds one race; a cluster on two busy cores needs seconds, not minutes.
const raceTimeout = time.Minute

// PublishRace starts n publishers of id at once, publisher i through pubs[i%len(pubs)]
// with its own text and author, and checks every answer against the bus as read through
// reader: each publisher was told Changed with a revision that holds exactly its text
// and its name, and the revisions are numbered 1..n without a gap or a repeat.
func PublishRace(t testing.TB, pubs []*bus.Bulletins, reader *bus.Bulletins, id string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), raceTimeout)
	defer cancel()
	results := make([]bus.Published, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start // release them together: the point is that they collide
			results[i], errs[i] = pubs[i%len(pubs)].Publish(ctx, Sample(id, fmt.Sprint("versió ", i)), fmt.Sprint("w", i))
		})
	}
	close(start)
	wg.Wait()
	hist, err := reader.History(ctx, id)
	if err != nil {
		t.Fatalf("history of %s: %v", id, err)
	}
	for i, r := range results {
		if errs[i] != nil {
			t.Errorf("publisher %d: %v", i, errs[i])
			continue
		}
		want := Sample(id, fmt.Sprint("versió ", i)).Hash()
		if !r.Changed || r.Revision == nil || r.Revision.Hash != want {
			t.Errorf("publisher %d told %+v; want its own text published", i, r)
			continue
		}
		if onBus := at(hist, r.Revision.Rev); onBus == nil || onBus.Hash != want || onBus.Author != fmt.Sprint("w", i) {
			t.Errorf("publisher %d told it is %s, but the bus holds %s there: a false success", i, r.Revision.Key(), describe(onBus))
		}
	}
	checkNumbering(t, hist, n)
}

// RetractRace publishes id, then retracts it through retractor while publisher publishes
// a new text, at once, and checks that neither was dropped: the history holds the first
// text, the retraction and the new text (in either order), and each answer is the
// revision the bus holds.
func RetractRace(t testing.TB, retractor, publisher, reader *bus.Bulletins, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), raceTimeout)
	defer cancel()
	if _, err := publisher.Publish(ctx, Sample(id, "primer"), "anna"); err != nil {
		t.Fatal(err)
	}
	var (
		ret       *bulletin.Revision
		pub       bus.Published
		rErr, pEr error
		wg        sync.WaitGroup
	)
	start := make(chan struct{})
	wg.Go(func() { <-start; ret, rErr = retractor.Retract(ctx, id, "retractor") })
	wg.Go(func() { <-start; pub, pEr = publisher.Publish(ctx, Sample(id, "segon"), "editor") })
	close(start)
	wg.Wait()
	if rErr != nil || pEr != nil {
		t.Fatalf("%s: retract: %v; publish: %v; want both done", id, rErr, pEr)
	}
	hist, err := reader.History(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	checkNumbering(t, hist, 3)
	if r := at(hist, ret.Rev); r == nil || r.Action != bulletin.Retract || r.Author != "retractor" {
		t.Errorf("%s: Retract answered %s, the bus holds %s there; want that retraction", id, ret.Key(), describe(r))
	}
	want := Sample(id, "segon").Hash()
	if r := at(hist, pub.Revision.Rev); !pub.Changed || r == nil || r.Action == bulletin.Retract || r.Hash != want || r.Author != "editor" {
		t.Errorf("%s: Publish answered %s (changed %v), the bus holds %s there; want the new text", id, pub.Revision.Key(), pub.Changed, describe(r))
	}
}

// DoubleRetract retracts a published id twice at once: exactly one retraction lands, its
// retractor is told so, and the other is told it was already retracted.
func DoubleRetract(t testing.TB, a, b, reader *bus.Bulletins, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), raceTimeout)
	defer cancel()
	if _, err := a.Publish(ctx, Sample(id, "primer"), "anna"); err != nil {
		t.Fatal(err)
	}
	revs := make([]*bulletin.Revision, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, p := range []*bus.Bulletins{a, b} {
		wg.Go(func() { <-start; revs[i], errs[i] = p.Retract(ctx, id, fmt.Sprint("r", i)) })
	}
	close(start)
	wg.Wait()
	hist, err := reader.History(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	checkNumbering(t, hist, 2)
	won := 0
	for i := range revs {
		switch {
		case errs[i] == nil:
			won++
			if r := at(hist, revs[i].Rev); r == nil || r.Action != bulletin.Retract || r.Author != fmt.Sprint("r", i) {
				t.Errorf("%s: retractor %d told %s, the bus holds %s", id, i, revs[i].Key(), describe(r))
			}
		case !strings.Contains(errs[i].Error(), "already retracted"):
			t.Errorf("%s: retractor %d: %v; want done or already retracted", id, i, errs[i])
		}
	}
	if won != 1 {
		t.Errorf("%s: %d retractors told they retracted; want exactly 1", id, won)
	}
}

func at(hist []*bulletin.Revision, rev int) *bulletin.Revision {
	if rev < 1 || rev > len(hist) || hist[rev-1].Rev != rev {
		return nil
	}
	return hist[rev-1]
}

func describe(r *bulletin.Revision) string {
	if r == nil {
		return "nothing"
	}
	return fmt.Sprintf("%s (%s by %s)", r.Key(), r.Action, r.Author)
}

func checkNumbering(t testing.TB, hist []*bulletin.Revision, n int) {
	t.Helper()
	if len(hist) != n {
		t.Errorf("%d revisions on the bus, want %d", len(hist), n)
	}
	for i, r := range hist {
		if r.Rev != i+1 {
			t.Errorf("revision %d at position %d: numbering has a gap or repeats", r.Rev, i+1)
		}
	}
}
