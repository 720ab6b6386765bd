package schedule_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/schedule"
	"github.com/paeria/pregoner/shared/testenv"
)

// counting is a Publisher that counts the publishes it passes on, and can hold them.
type counting struct {
	pub  *bus.Bulletins
	mu   sync.Mutex
	n    map[string]int
	gate chan struct{} // when set, each publish waits for it to close
	in   chan string   // when set, told of each publish as it starts
}

func (c *counting) PublishWritten(ctx context.Context, b *bulletin.Bulletin, author, writer string) (bus.Published, error) {
	c.mu.Lock()
	c.n[b.ID]++
	gate, in := c.gate, c.in
	c.mu.Unlock()
	if in != nil {
		in <- b.ID
	}
	if gate != nil {
		<-gate
	}
	return c.pub.PublishWritten(ctx, b, author, writer)
}

func (c *counting) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[id]
}

func startRunner(t *testing.T, r *schedule.Runner) {
	t.Helper()
	r.Tick = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// Every editor replica runs a runner: several of them on one store publish each due
// bulletin exactly once (one publish call, one revision), never twice.
func TestSeveralRunnersPublishEachDueBulletinOnce(t *testing.T) {
	e := connect(t, natstest.Start(t))
	ctx := context.Background()
	const n = 20
	for i := range n {
		if err := e.store.Put(ctx, entry(fmt.Sprintf("avis-%d", i), "Text.", t0)); err != nil {
			t.Fatal(err)
		}
	}
	c := &counting{pub: e.pub, n: map[string]int{}}
	clock := testenv.NewClock(t0.Add(time.Minute))
	for range 3 {
		startRunner(t, schedule.NewRunner(e.store, c, nil, clock.Now))
	}
	natstest.WaitFor(t, 20*time.Second, "every schedule to go out", func() bool {
		list, err := e.store.List(ctx)
		return err == nil && len(list) == 0
	})
	time.Sleep(50 * time.Millisecond) // ten more ticks of every runner
	for i := range n {
		id := fmt.Sprintf("avis-%d", i)
		if got := c.count(id); got != 1 {
			t.Errorf("%s: published %d times, want once", id, got)
		}
		if rev, _, err := e.pub.Latest(ctx, id); err != nil || rev.Rev != 1 {
			t.Errorf("%s: latest %v, %v; want revision 1", id, rev, err)
		}
	}
}

// While a runner publishes an entry, staff can neither cancel nor replace it: either
// would promise that the old text does not go out, which is no longer in their power.
func TestAScheduleGoingOutCannotBeCancelledOrReplaced(t *testing.T) {
	e := connect(t, natstest.Start(t))
	ctx := context.Background()
	if err := e.store.Put(ctx, entry("toc", "Toc de queda.", t0)); err != nil {
		t.Fatal(err)
	}
	c := &counting{pub: e.pub, n: map[string]int{}, gate: make(chan struct{}), in: make(chan string, 1)}
	startRunner(t, schedule.NewRunner(e.store, c, nil, testenv.NewClock(t0).Now))
	<-c.in // the runner holds the claim and is publishing
	if err := e.store.Cancel(ctx, "toc"); !errors.Is(err, schedule.ErrPublishing) {
		t.Errorf("cancel during the publish: %v, want ErrPublishing", err)
	}
	if err := e.store.Put(ctx, entry("toc", "Un altre text.", t0.Add(time.Hour))); !errors.Is(err, schedule.ErrPublishing) {
		t.Errorf("replace during the publish: %v, want ErrPublishing", err)
	}
	close(c.gate)
	natstest.WaitFor(t, 10*time.Second, "the schedule to be removed", func() bool {
		_, err := e.store.Get(ctx, "toc")
		return errors.Is(err, schedule.ErrNotFound)
	})
	if rev, _, err := e.pub.Latest(ctx, "toc"); err != nil || rev.Bulletin.Body != "Toc de queda." {
		t.Errorf("published %v, %v", rev, err)
	}
}

// A runner that died holding a claim delays the bulletin by the lease, no more.
func TestAClaimOfADeadRunnerRunsOut(t *testing.T) {
	e := connect(t, natstest.Start(t))
	ctx := context.Background()
	if err := e.store.Put(ctx, entry("orfe", "Text.", t0)); err != nil {
		t.Fatal(err)
	}
	// What a runner leaves behind when it dies between its claim and its publish.
	kv, err := e.srv.Connect("dead").JS.KeyValue(ctx, bus.BucketSchedules)
	if err != nil {
		t.Fatal(err)
	}
	claimed := entry("orfe", "Text.", t0)
	claimed.Claim = &schedule.Claim{Holder: "runner-dead", Until: time.Now().Add(300 * time.Millisecond)}
	data, _ := json.Marshal(claimed)
	if _, err := kv.Put(ctx, "orfe", data); err != nil {
		t.Fatal(err)
	}
	c := &counting{pub: e.pub, n: map[string]int{}}
	startRunner(t, schedule.NewRunner(e.store, c, nil, testenv.NewClock(t0).Now))
	time.Sleep(100 * time.Millisecond)
	if c.count("orfe") != 0 {
		t.Fatal("another runner published an entry while it was claimed")
	}
	natstest.WaitFor(t, 10*time.Second, "the entry to go out after the lease", func() bool { return c.count("orfe") == 1 })
}
