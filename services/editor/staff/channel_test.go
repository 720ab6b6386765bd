package staff_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// testChannel stands in for Telegram, YouTube or the web page: it keeps what it shows,
// and refuses a bulletin when told, as an API would.
type testChannel struct {
	mu     sync.Mutex
	shown  map[string]string // id -> "id@rev"
	refuse map[string]bool   // id -> refuse permanently
}

func (c *testChannel) Deliver(_ context.Context, j delivery.Job) (delivery.Ref, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refuse[j.Revision.ID] {
		return delivery.Ref{}, delivery.Permanent(errors.New("Bad Request: chat not found"))
	}
	c.shown[j.Revision.ID] = j.Revision.Key()
	return delivery.Ref{URL: "test://" + j.Revision.ID, IDs: []string{fmt.Sprint(len(c.shown))}}, nil
}

func (c *testChannel) Update(ctx context.Context, j delivery.Job) (delivery.Ref, error) {
	return c.Deliver(ctx, j)
}

func (c *testChannel) Retract(_ context.Context, j delivery.Job) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.shown, j.Revision.ID)
	return nil
}

func (c *testChannel) setRefuse(id string, v bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refuse[id] = v
}

func (c *testChannel) showing(id string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.shown[id]
}

// channels runs a test channel worker for each channel name until the test ends.
func (e *env) channels(names ...string) map[string]*testChannel {
	e.t.Helper()
	out := map[string]*testChannel{}
	conn := e.nats.Connect("workers")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, name := range names {
		ch := &testChannel{shown: map[string]string{}, refuse: map[string]bool{}}
		out[name] = ch
		cfg := delivery.Config{Channel: name, Poll: 100 * time.Millisecond, MinBackoff: 10 * time.Millisecond, Heartbeat: time.Second}
		wg.Go(func() { _ = delivery.Serve(ctx, conn.JS, bus.Topology{AckWait: 3 * time.Second}, cfg, ch, 1) })
	}
	e.t.Cleanup(func() { cancel(); wg.Wait() })
	return out
}
