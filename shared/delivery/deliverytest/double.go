// Package deliverytest checks the delivery contract against a model: random sequences
// of staff decisions, channel faults, worker crashes and server restarts, run on a real
// bus, against a channel double that records what citizens would see. It lives outside
// the delivery package's tests so that the same model runs on one embedded server and
// on the 3-node cluster in deploy/.
package deliverytest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/paeria/pregoner/shared/delivery"
)

// Fault is what the double does to one call.
type Fault int

const (
	None Fault = iota
	// TemporaryFault fails without acting (a 502).
	TemporaryFault
	// PermanentFault refuses without acting (a 400); the delivery goes dead.
	PermanentFault
	// LostReply acts, then fails as if the reply never came.
	LostReply
	// Stall acts after a long wait.
	Stall
	// Partial shows part of the bulletin, then refuses the rest for good (part 2 of a
	// split post refused): the delivery goes dead with a part visible.
	Partial
)

func (f Fault) String() string {
	return [...]string{"none", "temporary", "permanent", "lost reply", "stall", "partial"}[f]
}

// Double is a delivery.Channel that keeps what citizens see: for each bulletin, the
// revision shown, if any. It checks each call against the decisions staff were told
// of, and fails calls as its fault rate says. It is safe for concurrent use.
type Double struct {
	mu    sync.Mutex
	rng   *rand.Rand
	rate  float64 // share of calls that fail
	shown map[string]int
	// partial marks bulletins of which only a part shows.
	partial map[string]bool
	// lastFaulted makes faults come in bursts, as outages do.
	lastFaulted bool
	// acked[id][rev] is when staff were told revision rev of id was on the bus.
	acked      map[string]map[int]time.Time
	violations []string
	calls      int
	refreshes  int // updates of the revision the record says is delivered
	posts      int
	faults     map[Fault]int
}

// NewDouble returns a double drawing its faults from seed.
func NewDouble(seed uint64) *Double {
	return &Double{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		shown: map[string]int{}, partial: map[string]bool{}, acked: map[string]map[int]time.Time{}, faults: map[Fault]int{}}
}

// SetFaultRate sets the share of calls, from 0 to 1, that fail in one of the ways above.
func (d *Double) SetFaultRate(r float64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rate = r
}

// Acked records that staff were told revision rev of id is on the bus, at the moment
// the publish returned.
func (d *Double) Acked(id string, rev int, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.acked[id] == nil {
		d.acked[id] = map[int]time.Time{}
	}
	d.acked[id][rev] = at
}

// Shown returns the revision of id citizens see, 0 for none, and whether they see only
// a part of it.
func (d *Double) Shown(id string) (rev int, partial bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.shown[id], d.partial[id]
}

// Violations are the calls that broke the contract.
func (d *Double) Violations() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.violations...)
}

// Stats says how many calls, new posts and faults the double saw.
func (d *Double) Stats() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return fmt.Sprintf("%d calls (%d refreshes), %d posts, faults %v", d.calls, d.refreshes, d.posts, d.faults)
}

func (d *Double) Deliver(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	return d.call(ctx, "deliver", job)
}

func (d *Double) Update(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	return d.call(ctx, "update", job)
}

func (d *Double) Retract(ctx context.Context, job delivery.Job) error {
	_, err := d.call(ctx, "retract", job)
	return err
}

var errLost = errors.New("read tcp: connection reset by peer (the reply was lost)")

func (d *Double) call(ctx context.Context, op string, job delivery.Job) (delivery.Ref, error) {
	id, rev := job.Revision.ID, job.Revision.Rev
	d.mu.Lock()
	d.calls++
	if op == "update" && job.Prev.State == delivery.Delivered && job.Prev.Carried == rev {
		d.refreshes++
	}
	d.check(op, job)
	f, rate := None, d.rate
	if d.lastFaulted && rate > 0 {
		rate = 0.6
	}
	if d.rng.Float64() < rate {
		f = Fault(1 + d.rng.IntN(5))
		if f == Partial && op == "retract" {
			f = TemporaryFault
		}
		d.faults[f]++
	}
	d.lastFaulted = f != None
	stall := time.Duration(50+d.rng.IntN(250)) * time.Millisecond
	d.mu.Unlock()

	switch f {
	case TemporaryFault:
		return delivery.Ref{}, delivery.Temporary(errors.New("502 Bad Gateway"), 0)
	case PermanentFault:
		return delivery.Ref{}, delivery.Permanent(errors.New("400 Bad Request: refused by the double"))
	case Stall:
		t := time.NewTimer(stall)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return delivery.Ref{}, ctx.Err()
		}
	}
	d.mu.Lock()
	if op == "retract" {
		delete(d.shown, id)
		delete(d.partial, id)
	} else {
		if d.shown[id] == 0 {
			d.posts++
		}
		d.shown[id], d.partial[id] = rev, f == Partial
	}
	d.mu.Unlock()
	switch f {
	case LostReply:
		return delivery.Ref{}, errLost
	case Partial:
		ref := delivery.Ref{IDs: []string{id + "-part-1"}}
		return ref, delivery.Permanent(delivery.Showing(errors.New("400 Bad Request: part 2 refused"), ref, "part 1 of 2"))
	}
	return delivery.Ref{IDs: []string{id}, URL: "double://" + id}, nil
}

// check records a violation when the call acts on a revision older than one staff were
// told of before the worker checked, or posts anew over a post the worker was not told
// may exist.
func (d *Double) check(op string, job delivery.Job) {
	id, rev := job.Revision.ID, job.Revision.Rev
	if job.CheckedAt.IsZero() {
		d.violations = append(d.violations, fmt.Sprintf("%s %s@%d: the worker did not read the latest revision first", op, id, rev))
	}
	for r, at := range d.acked[id] {
		if r > rev && at.Before(job.CheckedAt) {
			d.violations = append(d.violations, fmt.Sprintf("%s %s@%d: revision %d was acknowledged to staff %s before the worker's check",
				op, id, rev, r, job.CheckedAt.Sub(at)))
		}
	}
	if op == "deliver" && d.shown[id] != 0 && !job.Retry {
		d.violations = append(d.violations, fmt.Sprintf("deliver %s@%d: posted again while %s@%d shows, and the worker said nothing was tried",
			id, rev, id, d.shown[id]))
	}
}
