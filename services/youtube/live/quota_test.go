package live_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/services/youtube/sandbox"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

// openQuota is a quota account on its own connection to srv, as one replica has.
func openQuota(t *testing.T, srv *natstest.Server, now func() time.Time) *live.Quota {
	t.Helper()
	q, err := live.OpenQuota(t.Context(), srv.Connect("youtube").JS, live.Config{DailyQuota: 10000, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestQuotaResetsAtMidnightPacificAcrossDaylightSaving(t *testing.T) {
	tests := []struct {
		name     string
		at, want string // RFC 3339
	}{
		{"lleida_morning_in_march_pdt", "2020-03-14T10:00:00+01:00", "2020-03-15T07:00:00Z"},
		{"day_us_clocks_go_forward", "2020-03-08T01:30:00-08:00", "2020-03-09T07:00:00Z"},
		{"november_pst", "2020-11-25T12:00:00Z", "2020-11-26T08:00:00Z"},
		{"one_second_before_reset", "2020-11-26T07:59:59Z", "2020-11-26T08:00:00Z"},
		{"at_reset_the_next_is_tomorrow", "2020-11-26T08:00:00Z", "2020-11-27T08:00:00Z"},
	}
	q := openQuota(t, natstest.Start(t), time.Now)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at, _ := time.Parse(time.RFC3339, tc.at)
			want, _ := time.Parse(time.RFC3339, tc.want)
			if got := q.NextReset(at); !got.Equal(want) {
				t.Errorf("NextReset(%s) = %s, want %s", tc.at, got.UTC(), want)
			}
		})
	}
}

func TestQuotaCountsTheDayAndForgetsExhaustionAtTheReset(t *testing.T) {
	c := testenv.NewClock(time.Date(2020, 3, 14, 23, 0, 0, 0, time.UTC)) // 16:00 Pacific
	srv := natstest.Start(t)
	q := openQuota(t, srv, c.Now)
	ctx := t.Context()
	for _, units := range []int{live.CostWrite, live.CostList} {
		if _, err := q.Spend(ctx, units); err != nil {
			t.Fatal(err)
		}
	}
	if wait, err := q.Wait(ctx); wait != 0 || err != nil {
		t.Errorf("wait = %s, %v before any refusal, want 0", wait, err)
	}
	if wait, err := q.MarkExhausted(ctx); wait != 8*time.Hour || err != nil {
		t.Errorf("wait after refusal = %s, %v; want 8h until midnight Pacific", wait, err)
	}
	// A restarted worker on a restarted server reads the same day.
	srv.Restart()
	again := openQuota(t, srv, c.Now)
	if st, err := again.Status(ctx); err != nil || st.Spent != 51 || !st.Exhausted || st.Day != "2020-03-14" {
		t.Errorf("status after restarts = %+v, %v; want 51 units spent, exhausted, on 2020-03-14", st, err)
	}
	c.Advance(8 * time.Hour)
	st, err := again.Status(ctx)
	if wait, _ := again.Wait(ctx); err != nil || st.Spent != 0 || st.Exhausted || wait != 0 || st.Day != "2020-03-15" {
		t.Errorf("after the reset: %+v, %v, wait %s; want a fresh day", st, err, wait)
	}
}

// TestQuotaSpendingOfReplicasAddsUp: replicas spending at the same moment lose no
// unit, because each change is a compare-and-set on the last revision read.
func TestQuotaSpendingOfReplicasAddsUp(t *testing.T) {
	srv := natstest.Start(t)
	clock := testenv.NewClock(lockdown)
	const replicas, writers, calls = 3, 2, 15
	var wg sync.WaitGroup
	for range replicas {
		q := openQuota(t, srv, clock.Now)
		for range writers {
			wg.Go(func() {
				for range calls {
					if _, err := q.Spend(context.Background(), live.CostWrite); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	st, err := openQuota(t, srv, clock.Now).Status(t.Context())
	if want := replicas * writers * calls * live.CostWrite; err != nil || st.Spent != want {
		t.Errorf("spent %d (%v), want %d: every replica's units counted once", st.Spent, err, want)
	}
}

// TestQuotaExhaustedByOneReplicaStopsTheOthersAndRestarts: one replica's refusal for
// quota keeps every other replica, and a restarted worker on a restarted bus, from
// calling the API until midnight Pacific; then they go ahead.
func TestQuotaExhaustedByOneReplicaStopsTheOthersAndRestarts(t *testing.T) {
	e := newEnv(t)
	midnight := time.Date(2020, 3, 15, 0, 0, 0, 0, sandbox.PacificZone())
	e.clock.Set(midnight.Add(-2 * time.Hour))
	cfg := e.config(nil)
	a, b := e.channel(cfg), e.channel(cfg)
	e.sb.UseQuota(sandbox.DefaultDailyQuota - 60) // room for one write

	if _, err := a.Deliver(t.Context(), job(e.announcement("primer", "Primer", "U."), 1, delivery.Record{}, false)); err != nil {
		t.Fatalf("first announcement: %v", err)
	}
	if _, err := b.Deliver(t.Context(), job(e.announcement("segon", "Segon", "Dos."), 1, delivery.Record{}, false)); !waitsUntil(err, 2*time.Hour) {
		t.Fatalf("replica b on a spent quota: %v; want a temporary error until midnight Pacific", err)
	}
	if st := e.quota(a); !st.Exhausted || st.Spent != live.CostWrite {
		t.Errorf("replica a reads %+v; want b's refusal and a's 50 units", st)
	}
	calls := e.sb.Stats().Requests
	restart := func() *live.Channel { e.nats.Restart(); return e.channel(cfg) }
	tests := []struct {
		name string
		ch   func() *live.Channel
	}{
		{"replica_a", func() *live.Channel { return a }},
		{"replica_b", func() *live.Channel { return b }},
		{"restarted_worker_on_restarted_bus", restart}, // last: a and b lose their bus for a while
	}
	var restarted *live.Channel
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			restarted = tc.ch()
			_, err := restarted.Deliver(t.Context(), job(e.announcement("tercer", "Tercer", "Tres."), 1, delivery.Record{}, false))
			if !waitsUntil(err, 2*time.Hour) {
				t.Errorf("deliver: %v; want a temporary error until midnight Pacific", err)
			}
			if n := e.sb.Stats().Requests - calls; n != 0 {
				t.Errorf("%d API calls on a spent quota; want none", n)
			}
		})
	}
	e.clock.Set(midnight)
	if _, err := restarted.Deliver(t.Context(), job(e.announcement("tercer", "Tercer", "Tres."), 1, delivery.Record{}, false)); err != nil {
		t.Fatalf("after midnight Pacific: %v", err)
	}
	if st := e.quota(restarted); st.Exhausted || st.Spent != live.CostWrite || st.Day != "2020-03-15" {
		t.Errorf("after the reset the account reads %+v; want the new day with one write", st)
	}
	if n := len(e.sb.Broadcasts()); n != 2 {
		t.Errorf("%d broadcasts, want 2", n)
	}
}

// waitsUntil reports whether err is a temporary failure that asks to wait d, the quota
// message with it.
func waitsUntil(err error, d time.Duration) bool {
	var te *delivery.TemporaryError
	return errors.As(err, &te) && te.RetryAfter == d && strings.Contains(err.Error(), "quota")
}
