package schedule

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// Publisher publishes a bulletin as its next revision, naming who publishes it (author)
// and who wrote it when that is someone else (writer, may be empty); *bus.Bulletins
// implements it.
type Publisher interface {
	PublishWritten(ctx context.Context, b *bulletin.Bulletin, author, writer string) (bus.Published, error)
}

// DefaultTick is how often the runner looks for due schedules: staff schedule to the
// minute, so a second late is on time.
const DefaultTick = time.Second

// DefaultLease is how long a claim keeps other runners away from an entry. A publish
// is given half of it, so a claim never runs out while its holder is still publishing;
// a runner that dies holding one delays that bulletin by at most this much.
const DefaultLease = time.Minute

// Runner publishes scheduled bulletins when they are due. Every editor replica runs
// one: a runner claims a due entry (compare-and-set on the entry) before publishing
// it and deletes it only while its claim is the entry's latest revision, so each entry
// goes out once however many runners look at it, and staff cannot cancel or replace it
// while it is going out (Store.Cancel and Put answer ErrPublishing then).
type Runner struct {
	store  *Store
	pub    Publisher
	log    *slog.Logger
	now    func() time.Time
	holder string
	// Tick is how often due entries are looked for; DefaultTick when zero.
	Tick time.Duration
	// Lease is how long a claim holds; DefaultLease when zero.
	Lease time.Duration
	// Published, when set, is told of each entry published (the editor audits it).
	Published func(ctx context.Context, e Entry, p bus.Published)
}

// NewRunner returns a runner; now may be nil for time.Now. now decides what is due;
// claims are always wall-clock.
func NewRunner(store *Store, pub Publisher, log *slog.Logger, now func() time.Time) *Runner {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{store: store, pub: pub, log: log.With("component", "schedule"), now: now, holder: "runner-" + rand.Text()[:10]}
}

// Run publishes due entries until ctx ends. An entry is removed only after its bulletin
// is on the bus; one that fails to publish is tried again on the next tick.
func (r *Runner) Run(ctx context.Context) error {
	tick := r.Tick
	if tick <= 0 {
		tick = DefaultTick
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		r.fireDue(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (r *Runner) lease() time.Duration {
	if r.Lease > 0 {
		return r.Lease
	}
	return DefaultLease
}

func (r *Runner) fireDue(ctx context.Context) {
	lister, err := r.store.kv.ListKeys(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("cannot read schedules; will retry", "err", err)
		}
		return
	}
	for id := range lister.Keys() {
		e, kvRev, err := r.store.get(ctx, id)
		if err != nil || r.now().Before(e.At) || e.Claim.held() {
			continue
		}
		r.fire(ctx, id, e, kvRev)
	}
}

// fire claims the due entry e (at revision kvRev), publishes it and removes it.
func (r *Runner) fire(ctx context.Context, id string, e *Entry, kvRev uint64) {
	claimRev, err := r.claim(ctx, id, e, kvRev)
	if err != nil {
		if !lostRace(err) && ctx.Err() == nil {
			r.log.Warn("cannot claim a due schedule; will retry", "id", id, "err", err)
		}
		return // another runner has it, or staff changed it since it was read
	}
	pctx, cancel := context.WithTimeout(ctx, r.lease()/2)
	p, err := r.pub.PublishWritten(pctx, e.Bulletin, e.Author, e.Writer)
	cancel()
	if err != nil {
		r.log.Warn("scheduled publish failed; will retry", "id", id, "err", err)
		r.release(ctx, id, e, claimRev)
		return
	}
	// Removed only while our claim is the latest revision: nothing can have replaced
	// it (Put refuses a claimed entry), so a mismatch means the claim ran out and
	// someone else took over; they will find the content unchanged.
	err = r.store.kv.Delete(ctx, id, jetstream.LastRevision(claimRev))
	if err != nil && !lostRace(err) {
		r.log.Warn("published, but could not remove the schedule; its claim runs out and the next publish finds it unchanged", "id", id, "err", err)
	}
	r.log.Info("scheduled bulletin published", "id", id, "rev", p.Revision.Rev, "due", e.At, "changed", p.Changed)
	if r.Published != nil {
		r.Published(ctx, *e, p)
	}
}

// claim writes e with this runner's claim, if the entry is still at kvRev.
func (r *Runner) claim(ctx context.Context, id string, e *Entry, kvRev uint64) (uint64, error) {
	c := *e
	c.Claim = &Claim{Holder: r.holder, Until: time.Now().Add(r.lease())}
	data, err := json.Marshal(c)
	if err != nil {
		return 0, fmt.Errorf("claim schedule of %s: %w", id, err)
	}
	return r.store.kv.Update(ctx, id, data, kvRev)
}

// release gives a claimed entry back after a failed publish, so any runner tries again
// at the next tick rather than after the lease.
func (r *Runner) release(ctx context.Context, id string, e *Entry, claimRev uint64) {
	c := *e
	c.Claim = nil
	data, err := json.Marshal(c)
	if err == nil {
		_, err = r.store.kv.Update(ctx, id, data, claimRev)
	}
	if err != nil && ctx.Err() == nil {
		r.log.Warn("could not release the claim of a schedule; it runs out by itself", "id", id, "err", err)
	}
}
