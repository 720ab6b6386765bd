package desk

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/paeria/pregoner/shared/delivery"
)

// sandboxes is, per channel, whether its latest delivery record that says where it
// delivered (one with a Ref) carries Ref.Sandbox: staff must see at a glance that
// nothing they publish reaches citizens there.
type sandboxes struct {
	mu sync.Mutex
	on map[string]bool
}

// note takes rec into account. A record without a Ref (retracted, skipped, a re-drive)
// says nothing about where the channel delivers and leaves the flag as it was.
func (s *sandboxes) note(rec *delivery.Record) {
	if !saysWhere(rec.Ref) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on == nil {
		s.on = map[string]bool{}
	}
	s.on[rec.Channel] = rec.Ref.Sandbox
}

// saysWhere reports whether r tells anything of where the channel delivered.
func saysWhere(r delivery.Ref) bool {
	return r.Sandbox || r.URL != "" || len(r.IDs) > 0 || r.Target != "" || !r.SentAt.IsZero()
}

func (s *sandboxes) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for ch, on := range s.on {
		if on {
			out = append(out, ch)
		}
	}
	slices.Sort(out)
	return out
}

// Sandboxed lists the channels whose latest records say they deliver to a local
// sandbox, sorted; empty until TrackSandboxes has read the records.
func (d *Desk) Sandboxed() []string { return d.sandbox.list() }

// sandboxRewatch is how long TrackSandboxes waits before watching again after the
// watch ended while the service runs (the bus went away for longer than a reconnect).
const sandboxRewatch = 2 * time.Second

// TrackSandboxes keeps Sandboxed current from the deliveries bucket until ctx ends:
// it reads every record once, then each change, as the live list does.
func (d *Desk) TrackSandboxes(ctx context.Context) error {
	for ctx.Err() == nil {
		updates, err := d.store.Watch(ctx)
		if err != nil {
			d.log.Warn("cannot watch deliveries for sandboxes; will retry", "err", err)
		} else {
			for rec := range updates {
				d.sandbox.note(rec)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(sandboxRewatch):
		}
	}
	return nil
}
