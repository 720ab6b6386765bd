package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// maxSources bounds how many sources a tally keeps apart in one minute; beyond it the
// rest are counted together, so noise from many addresses cannot grow memory.
const maxSources = 10_000

// OtherSources is the Remote of the event that counts the sources beyond maxSources.
const OtherSources = "(other addresses)"

// tallyTick is how often Run looks whether the minute has turned.
const tallyTick = 5 * time.Second

// Tally turns noise — a flood of refused API tokens — into one event per source and
// minute, with a count: writing (and fsyncing) one event per request let a thousand
// requests push every real event out of the audit view. Counts are kept in memory and
// written when the minute turns (at the next Add, or by Run) and when Run ends. It is
// safe for concurrent use.
type Tally struct {
	log    *Log
	action string
	// what the counted requests were, for the event's detail: "N <what>".
	what   string
	mu     sync.Mutex
	minute time.Time
	counts map[tallyKey]int
}

type tallyKey struct{ via, remote string }

// Tally returns a tally that writes events with action, each saying "N what".
func (l *Log) Tally(action, what string) *Tally {
	return &Tally{log: l, action: action, what: what, counts: map[tallyKey]int{}}
}

// Add counts one request from remote (a client address, as the events name it)
// through via. When the minute has turned, the last minute's counts are written first.
func (t *Tally) Add(ctx context.Context, via, remote string) error {
	minute := t.log.now().UTC().Truncate(time.Minute)
	t.mu.Lock()
	old, oldMinute := t.swapIfTurned(minute)
	k := tallyKey{via, remote}
	if _, ok := t.counts[k]; !ok && len(t.counts) >= maxSources {
		k.remote = OtherSources
	}
	t.counts[k]++
	t.mu.Unlock()
	return t.write(ctx, oldMinute, old)
}

// swapIfTurned takes the counts of a past minute out, to be written, and starts minute.
// The caller holds t.mu.
func (t *Tally) swapIfTurned(minute time.Time) (map[tallyKey]int, time.Time) {
	if t.minute.Equal(minute) {
		return nil, time.Time{}
	}
	old, oldMinute := t.counts, t.minute
	t.counts, t.minute = map[tallyKey]int{}, minute
	return old, oldMinute
}

// Flush writes the counts of a minute that has turned; with all, the current
// minute's too (at shutdown).
func (t *Tally) Flush(ctx context.Context, all bool) error {
	minute := t.log.now().UTC().Truncate(time.Minute)
	t.mu.Lock()
	if all {
		minute = minute.Add(time.Minute) // a minute no count is in yet
	}
	old, oldMinute := t.swapIfTurned(minute)
	t.mu.Unlock()
	return t.write(ctx, oldMinute, old)
}

func (t *Tally) write(ctx context.Context, minute time.Time, counts map[tallyKey]int) error {
	var errs []error
	for k, n := range counts {
		e := Event{At: minute, Actor: "?", Via: k.via, Action: t.action, Count: n, Remote: k.remote,
			Detail: fmt.Sprintf("%d %s in the minute from %s", n, t.what, minute.Format("15:04 MST"))}
		if err := t.log.Record(ctx, e); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run writes each minute's counts once it has turned, until ctx ends, and then the
// counts it still holds. A failed write is logged for IT and the tally goes on: the
// requests it counts were refused anyway.
func (t *Tally) Run(ctx context.Context, log *slog.Logger) {
	tick := time.NewTicker(tallyTick)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := t.Flush(ctx, false); err != nil {
				log.Error("audit log write failed", "action", t.action, "err", err)
			}
		case <-ctx.Done():
			// The requests are over; their record still gets a few seconds on the bus.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := t.Flush(fctx, true); err != nil {
				log.Error("audit log write failed", "action", t.action, "err", err)
			}
			return
		}
	}
}
