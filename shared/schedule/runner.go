package schedule

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// Publisher publishes a bulletin as its next revision; *bus.Bulletins implements it.
type Publisher interface {
	Publish(ctx context.Context, b *bulletin.Bulletin, author string) (bus.Published, error)
}

// DefaultTick is how often the runner looks for due schedules: staff schedule to the
// minute, so a second late is on time.
const DefaultTick = time.Second

// Runner publishes scheduled bulletins when they are due. Run one per hub; a second
// replica is harmless (publishing the same content twice makes one revision) but
// pointless.
type Runner struct {
	store *Store
	pub   Publisher
	log   *slog.Logger
	now   func() time.Time
	// Tick is how often due entries are looked for; DefaultTick when zero.
	Tick time.Duration
}

// NewRunner returns a runner; now may be nil for time.Now.
func NewRunner(store *Store, pub Publisher, log *slog.Logger, now func() time.Time) *Runner {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{store: store, pub: pub, log: log.With("component", "schedule"), now: now}
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
		if err != nil || r.now().Before(e.At) {
			continue
		}
		p, err := r.pub.Publish(ctx, e.Bulletin, e.Author)
		if err != nil {
			r.log.Warn("scheduled publish failed; will retry", "id", id, "err", err)
			continue
		}
		// Remove the entry only if it is still the one just published: a schedule
		// replaced meanwhile stays for its own time.
		err = r.store.kv.Delete(ctx, id, jetstream.LastRevision(kvRev))
		if err != nil && !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			r.log.Warn("published, but could not remove the schedule", "id", id, "err", err)
		}
		r.log.Info("scheduled bulletin published", "id", id, "rev", p.Revision.Rev, "due", e.At, "changed", p.Changed)
	}
}
