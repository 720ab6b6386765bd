package audit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/natstest"
)

// stepClock moves only when told.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// A minute's noise from one source is one event with its count, written when the
// minute turns or at shutdown, dated the minute it counts.
func TestTallyWritesOneEventPerSourceAndMinute(t *testing.T) {
	conn := natstest.Start(t).Connect("test")
	ctx := context.Background()
	clk := &stepClock{t: time.Date(2020, 3, 14, 9, 0, 10, 0, time.UTC)}
	log, err := audit.New(ctx, conn.JS, 1, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	tally := log.Tally(audit.TokenRefused, "bad tokens")
	add := func(n int, via, remote string) {
		for range n {
			if err := tally.Add(ctx, via, remote); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(500, "api", "203.0.113.7")
	add(3, "cli", "192.0.2.1")
	if evs, _ := log.Recent(ctx, 10); len(evs) != 0 {
		t.Fatalf("written before the minute turned: %+v", evs)
	}
	clk.Add(time.Minute)
	add(1, "api", "203.0.113.7") // the turn writes the last minute
	if err := tally.Flush(ctx, true); err != nil {
		t.Fatal(err)
	}
	evs, err := log.Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]audit.Event{}
	for _, e := range evs {
		got[fmt.Sprintf("%s %s %s", e.At.Format("15:04"), e.Via, e.Remote)] = e
	}
	want := map[string]int{"09:00 api 203.0.113.7": 500, "09:00 cli 192.0.2.1": 3, "09:01 api 203.0.113.7": 1}
	if len(got) != len(want) || len(evs) != len(want) {
		t.Fatalf("events: %+v, want %v", evs, want)
	}
	for k, n := range want {
		if e := got[k]; e.Count != n || e.Action != audit.TokenRefused || e.Detail != fmt.Sprintf("%d bad tokens in the minute from %s UTC", n, k[:5]) {
			t.Errorf("%s: %+v, want count %d", k, e, n)
		}
	}
}
