package desk

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/delivery"
)

// sandboxes is what the desk's one watch over every delivery record keeps (it began
// with the sandbox flags, hence its name): per channel, whether its latest record that
// says where it delivered (one with a Ref) carries Ref.Sandbox — staff must see at a
// glance that nothing they publish reaches citizens there — and the dead records of
// each bulletin, which the needs-attention panel on every page reads instead of the
// whole bucket.
type sandboxes struct {
	mu sync.Mutex
	on map[string]bool
	// dead is bulletin id → channel → its record while that record is dead.
	dead map[string]map[string]*delivery.Record
	// ready says dead holds every record's state: the watch has read the initial
	// values and still runs. Until then the panel scans the bucket.
	ready bool
}

// note takes rec into account. A record without a Ref (retracted, skipped, a re-drive)
// says nothing about where the channel delivers and leaves the flag as it was; any
// record says whether it is dead.
func (s *sandboxes) note(rec *delivery.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec.State == delivery.Dead {
		if s.dead == nil {
			s.dead = map[string]map[string]*delivery.Record{}
		}
		if s.dead[rec.ID] == nil {
			s.dead[rec.ID] = map[string]*delivery.Record{}
		}
		s.dead[rec.ID][rec.Channel] = rec
	} else {
		s.forgetLocked(rec.ID, rec.Channel)
	}
	if !saysWhere(rec.Ref) {
		return
	}
	if s.on == nil {
		s.on = map[string]bool{}
	}
	s.on[rec.Channel] = rec.Ref.Sandbox
}

// forget drops the record of id on channel from the dead set: it was deleted.
func (s *sandboxes) forget(id, channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forgetLocked(id, channel)
}

func (s *sandboxes) forgetLocked(id, channel string) {
	delete(s.dead[id], channel)
	if len(s.dead[id]) == 0 {
		delete(s.dead, id)
	}
}

// begin starts a new watch: the dead set is rebuilt from its initial values, since
// records may have changed or gone while no watch ran.
func (s *sandboxes) begin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dead, s.ready = nil, false
}

// settle marks the dead set complete (ready true) or no longer kept (false).
func (s *sandboxes) settle(ready bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ready = ready
}

// deadSet is the dead records by bulletin, and whether the set is complete.
func (s *sandboxes) deadSet() (map[string][]*delivery.Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready {
		return nil, false
	}
	out := make(map[string][]*delivery.Record, len(s.dead))
	for id, byChannel := range s.dead {
		for _, r := range byChannel {
			out[id] = append(out[id], r) // records are never changed once read
		}
	}
	return out, true
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

// errWatchEnded is a watch whose updates stopped while the service still ran.
var errWatchEnded = errors.New("the watch of the deliveries ended")

// TrackSandboxes keeps Sandboxed and the dead set of the needs-attention panel
// current from the deliveries bucket until ctx ends, and audits every delivery that
// dies (auditDeath): it reads every record once, then each change, as the live list
// does, and watches again (after sandboxRewatch) when the watch fails or ends, so
// deaths are never left unaudited for the rest of the service's life because the bus
// went away once.
func (d *Desk) TrackSandboxes(ctx context.Context) error {
	for ctx.Err() == nil {
		err := d.track(ctx)
		d.sandbox.settle(false) // the panel scans until the next watch has read all
		if err != nil && ctx.Err() == nil {
			d.log.Warn("cannot watch deliveries for sandboxes and the needs-attention panel; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(sandboxRewatch):
		}
	}
	return nil
}

// track is one watch of every record, until it ends or ctx does.
func (d *Desk) track(ctx context.Context) error {
	w, err := d.deliveries.WatchAll(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	d.sandbox.begin()
	settled := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return errWatchEnded
			}
			if e == nil { // the initial values are all here
				d.sandbox.settle(true)
				settled = true
				continue
			}
			if e.Operation() != jetstream.KeyValuePut {
				id, channel, _ := strings.Cut(e.Key(), ".")
				d.sandbox.forget(id, channel)
				continue
			}
			var rec delivery.Record
			if json.Unmarshal(e.Value(), &rec) != nil {
				continue // one unreadable record must not stop the watch; GetStatus reports it
			}
			d.sandbox.note(&rec)
			if settled {
				d.auditDeath(ctx, &rec) // a death from now on; the initial values are old news
			}
		}
	}
}
