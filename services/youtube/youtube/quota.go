package youtube

import (
	"sync"
	"time"
	_ "time/tzdata" // the quota day is Pacific time, also where the system has no zoneinfo
)

// Costs in quota units of the calls the worker makes.
const (
	CostWrite = 50 // liveBroadcasts.insert, update, delete
	CostList  = 1  // one page of liveBroadcasts.list
)

// Quota counts the units the worker spends on the current quota day, which runs from
// midnight to midnight America/Los_Angeles, and remembers when the API said the quota
// is exhausted so that no call is wasted before the reset. Safe for concurrent use.
type Quota struct {
	limit   int
	now     func() time.Time
	pacific *time.Location

	mu        sync.Mutex
	day       string
	spent     int
	exhausted string // the day the API refused for quota; "" when it did not
}

// QuotaStatus is a snapshot of the quota day.
type QuotaStatus struct {
	Day       string    `json:"day"`   // Pacific date, YYYY-MM-DD
	Spent     int       `json:"spent"` // units this worker spent that day
	Limit     int       `json:"limit"`
	Exhausted bool      `json:"exhausted"` // the API refused for quota that day
	ResetAt   time.Time `json:"reset_at"`  // next midnight Pacific
}

// NewQuota returns an empty account of limit units a day on clock now.
func NewQuota(limit int, now func() time.Time) *Quota {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil { // unreachable: time/tzdata is linked in
		loc = time.FixedZone("PST", -8*3600)
	}
	return &Quota{limit: limit, now: now, pacific: loc}
}

// NextReset is the first midnight America/Los_Angeles after t, when the quota resets.
func (q *Quota) NextReset(t time.Time) time.Time {
	p := t.In(q.pacific)
	return time.Date(p.Year(), p.Month(), p.Day()+1, 0, 0, 0, 0, q.pacific)
}

// roll starts a new day when the clock passed midnight Pacific. Caller holds q.mu.
func (q *Quota) roll() time.Time {
	now := q.now()
	if day := now.In(q.pacific).Format(time.DateOnly); day != q.day {
		q.day, q.spent, q.exhausted = day, 0, ""
	}
	return now
}

// Spend records units charged by the API.
func (q *Quota) Spend(units int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll()
	q.spent += units
}

// MarkExhausted records that the API refused a call for quota, and returns how long
// until the reset.
func (q *Quota) MarkExhausted() time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.roll()
	q.exhausted = q.day
	return q.NextReset(now).Sub(now)
}

// Wait reports how long until the reset when the quota is known to be exhausted
// today, or 0 when calls may go ahead.
func (q *Quota) Wait() time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.roll()
	if q.exhausted == "" {
		return 0
	}
	return q.NextReset(now).Sub(now)
}

// Status returns a snapshot.
func (q *Quota) Status() QuotaStatus {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.roll()
	return QuotaStatus{Day: q.day, Spent: q.spent, Limit: q.limit, Exhausted: q.exhausted != "",
		ResetAt: q.NextReset(now)}
}
