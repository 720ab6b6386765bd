package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
	_ "time/tzdata" // the quota day is Pacific time, also where the system has no zoneinfo

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bus"
)

// Costs in quota units of the calls the worker makes.
const (
	CostWrite = 50 // liveBroadcasts.insert, update, delete
	CostList  = 1  // one page of liveBroadcasts.list
)

// BucketQuota is the key-value bucket holding the quota day of the council's Google
// Cloud project: units spent and until when the API refuses for quota. It lives on the
// bus, not in a process, so that every replica and every restart of the worker knows a
// spent quota and burns no attempt on it.
// The set-up (bus.Setup, the admin's) creates it; the worker only binds to it.
const BucketQuota = bus.BucketYouTubeQuota

// quotaKey is the one key in BucketQuota: a deployment talks to one Google Cloud
// project, and the quota is the project's.
const quotaKey = "project"

// casTries bounds the compare-and-set loop. A conflict means another replica wrote in
// between, so every retry follows someone's progress; a short random pause after one
// keeps a replica from losing the race again and again to the same busy neighbours.
const casTries = 64

// Quota counts the units spent on the current quota day, which runs from midnight to
// midnight America/Los_Angeles, and remembers until when the API refuses for quota, so
// that no call is wasted before the reset. Its state is in BucketQuota, changed with
// compare-and-set, so replicas add up their spending. Safe for concurrent use.
type Quota struct {
	kv      jetstream.KeyValue
	limit   int
	now     func() time.Time
	pacific *time.Location
}

// QuotaStatus is a snapshot of the quota day.
type QuotaStatus struct {
	Day       string    `json:"day"`   // Pacific date, YYYY-MM-DD
	Spent     int       `json:"spent"` // units every replica spent that day
	Limit     int       `json:"limit"`
	Exhausted bool      `json:"exhausted"` // the API refused for quota; no call until ResetAt
	ResetAt   time.Time `json:"reset_at"`  // next midnight Pacific
}

// quotaDay is the stored value. Its methods are the pure rules; Quota adds the bus.
type quotaDay struct {
	Day   string `json:"day"`
	Spent int    `json:"spent"`
	// ExhaustedUntil is the reset after the API refused for quota; zero when it did not.
	ExhaustedUntil time.Time `json:"exhausted_until,omitzero"`
}

// on returns d as it stands on Pacific date day: a new day starts empty.
func (d quotaDay) on(day string) quotaDay {
	if d.Day != day {
		return quotaDay{Day: day}
	}
	return d
}

// wait is how long from now no call may be made.
func (d quotaDay) wait(now time.Time) time.Duration {
	return max(d.ExhaustedUntil.Sub(now), 0)
}

// OpenQuota binds to BucketQuota, which the set-up must have created, and returns the
// account of cfg.DailyQuota units on clock cfg.Now.
func OpenQuota(ctx context.Context, js jetstream.JetStream, cfg Config) (*Quota, error) {
	kv, err := bus.BindKeyValue(ctx, js, BucketQuota)
	if err != nil {
		return nil, fmt.Errorf("youtube: %w", err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil { // unreachable: time/tzdata is linked in
		loc = time.FixedZone("PST", -8*3600)
	}
	return &Quota{kv: kv, limit: cfg.DailyQuota, now: now, pacific: loc}, nil
}

// NextReset is the first midnight America/Los_Angeles after t, when the quota resets.
func (q *Quota) NextReset(t time.Time) time.Time {
	p := t.In(q.pacific)
	return time.Date(p.Year(), p.Month(), p.Day()+1, 0, 0, 0, 0, q.pacific)
}

func (q *Quota) today(now time.Time) string { return now.In(q.pacific).Format(time.DateOnly) }

// load reads the stored day; revision 0 when there is none yet.
func (q *Quota) load(ctx context.Context) (quotaDay, uint64, error) {
	e, err := q.kv.Get(ctx, quotaKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return quotaDay{}, 0, nil
	}
	if err != nil {
		return quotaDay{}, 0, fmt.Errorf("youtube: read quota account: %w", err)
	}
	var d quotaDay
	if err := json.Unmarshal(e.Value(), &d); err != nil {
		return quotaDay{}, 0, fmt.Errorf("youtube: decode quota account: %w", err)
	}
	return d, e.Revision(), nil
}

// change applies f to today's state and stores it if the bucket still holds what was
// read; on a conflict it reads again and reapplies f.
func (q *Quota) change(ctx context.Context, f func(d *quotaDay, now time.Time)) (quotaDay, error) {
	for range casTries {
		d, rev, err := q.load(ctx)
		if err != nil {
			return quotaDay{}, err
		}
		now := q.now()
		d = d.on(q.today(now))
		f(&d, now)
		data, err := json.Marshal(d)
		if err != nil {
			return quotaDay{}, fmt.Errorf("youtube: encode quota account: %w", err)
		}
		if rev == 0 {
			_, err = q.kv.Create(ctx, quotaKey, data)
		} else {
			_, err = q.kv.Update(ctx, quotaKey, data, rev)
		}
		switch {
		case err == nil:
			return d, nil
		case errors.Is(err, jetstream.ErrKeyExists), errors.Is(err, jetstream.ErrKeyRevisionMismatch):
			// Another replica wrote first: read its change and add ours to it.
			if err := sleep(ctx, rand.N(2*time.Millisecond)); err != nil {
				return quotaDay{}, fmt.Errorf("youtube: write quota account: %w", err)
			}
			continue
		}
		return quotaDay{}, fmt.Errorf("youtube: write quota account: %w", err)
	}
	return quotaDay{}, fmt.Errorf("youtube: write quota account: still conflicting after %d tries", casTries)
}

// Spend records units charged by the API and returns the day's total.
func (q *Quota) Spend(ctx context.Context, units int) (int, error) {
	d, err := q.change(ctx, func(d *quotaDay, _ time.Time) { d.Spent += units })
	return d.Spent, err
}

// MarkExhausted records that the API refused a call for quota and returns how long
// until the reset, when calls may go ahead again.
func (q *Quota) MarkExhausted(ctx context.Context) (time.Duration, error) {
	d, err := q.change(ctx, func(d *quotaDay, now time.Time) { d.ExhaustedUntil = q.NextReset(now) })
	if err != nil {
		now := q.now()
		return q.NextReset(now).Sub(now), err
	}
	return d.wait(q.now()), nil
}

// Wait reports how long until the reset when the quota is known to be exhausted, or
// 0 when calls may go ahead.
func (q *Quota) Wait(ctx context.Context) (time.Duration, error) {
	d, _, err := q.load(ctx)
	if err != nil {
		return 0, err
	}
	now := q.now()
	return d.on(q.today(now)).wait(now), nil
}

// Status returns a snapshot of today.
func (q *Quota) Status(ctx context.Context) (QuotaStatus, error) {
	d, _, err := q.load(ctx)
	if err != nil {
		return QuotaStatus{}, err
	}
	now := q.now()
	d = d.on(q.today(now))
	return QuotaStatus{Day: d.Day, Spent: d.Spent, Limit: q.limit, Exhausted: d.wait(now) > 0,
		ResetAt: q.NextReset(now)}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
