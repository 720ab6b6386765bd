package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// A worker holds a lease on the record of the bulletin it calls the channel for (see
// Lease): it claims it with a compare-and-set before the call, renews it every
// Heartbeat, and gives it up with the outcome. A worker that finds another's lease
// waits until it has expired; a holder that cannot renew stops its call two heartbeats
// before its lease runs out, so the two never call at once. (A request already on its
// way when the holder stops cannot be called back: that is the one window left.)

// leaseTTL is how long a lease lasts without renewal.
func (w *Worker) leaseTTL() time.Duration { return 3 * w.cfg.Heartbeat }

func newHolder() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// heldByOther reports whether rec is leased by another worker, and until when (with a
// heartbeat's margin for clocks that differ between machines).
func (w *Worker) heldByOther(rec *Record, now time.Time) (time.Time, bool) {
	if rec == nil || rec.Lease == nil || rec.Lease.Holder == w.holder {
		return time.Time{}, false
	}
	until := rec.Lease.Until.Add(w.cfg.Heartbeat)
	return until, now.Before(until)
}

// lease is a claim this worker holds on one record.
type lease struct {
	w      *Worker
	mu     sync.Mutex
	rec    Record
	kvRev  uint64
	lastOK time.Time
}

// claim writes rec as Sending under this worker's lease, over bucket revision kvRev.
func (w *Worker) claim(ctx context.Context, next Record, kvRev uint64) (*lease, error) {
	now := time.Now()
	next.State, next.Uncertain, next.NextAttempt = Sending, true, time.Time{}
	next.Lease = &Lease{Holder: w.holder, Until: now.Add(w.leaseTTL()).UTC()}
	next.Updated = w.cfg.Now().UTC()
	rev, err := w.store.Put(ctx, &next, kvRev)
	if err != nil {
		return nil, err
	}
	return &lease{w: w, rec: next, kvRev: rev, lastOK: now}, nil
}

// keep renews l every Heartbeat until stop is called, and calls lost when it can no
// longer be sure it holds the lease. stop returns the record's bucket revision.
func (l *lease) keep(ctx context.Context, lost func()) (stop func() uint64) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(l.w.cfg.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if !l.renew(ctx) && time.Since(l.lastOK) >= l.w.leaseTTL()-l.w.cfg.Heartbeat {
				l.w.log.Warn("lost the lease on a delivery; stopping the call", "id", l.rec.ID, "rev", l.rec.Rev)
				lost()
				return
			}
		}
	}()
	return func() uint64 {
		cancel()
		<-done
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.kvRev
	}
}

func (l *lease) renew(ctx context.Context) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	next := l.rec
	lease := *next.Lease
	lease.Until = now.Add(l.w.leaseTTL()).UTC()
	next.Lease = &lease
	rev, err := l.w.store.Put(ctx, &next, l.kvRev)
	if err != nil {
		return false
	}
	l.rec, l.kvRev, l.lastOK = next, rev, now
	return true
}
