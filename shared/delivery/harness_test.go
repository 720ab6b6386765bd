package delivery_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// call is one call a test channel received.
type call struct {
	Op  string
	Key string // id@rev
	At  time.Time
	Job delivery.Job
}

// testChannel is a delivery.Channel that records its calls and fails as told.
type testChannel struct {
	mu    sync.Mutex
	calls []call
	// fail, when set, decides the error of each call (nil: success).
	fail func(op string, job delivery.Job, n int) error
	// block, when set, is closed by the test to let calls return; calls wait on it.
	block chan struct{}
	// entered receives a value when a call starts (if non-nil).
	entered chan string
}

func (c *testChannel) do(ctx context.Context, op string, job delivery.Job) (delivery.Ref, error) {
	c.mu.Lock()
	c.calls = append(c.calls, call{Op: op, Key: job.Revision.Key(), At: time.Now(), Job: job})
	n := len(c.calls)
	fail, block, entered := c.fail, c.block, c.entered
	c.mu.Unlock()
	if entered != nil {
		entered <- job.Revision.Key()
	}
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return delivery.Ref{}, ctx.Err()
		}
	}
	if fail != nil {
		if err := fail(op, job, n); err != nil {
			return delivery.Ref{}, err
		}
	}
	return delivery.Ref{IDs: []string{fmt.Sprint(n)}, URL: "test://" + job.Revision.ID}, nil
}

func (c *testChannel) Deliver(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	return c.do(ctx, "deliver", job)
}
func (c *testChannel) Update(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	return c.do(ctx, "update", job)
}
func (c *testChannel) Retract(ctx context.Context, job delivery.Job) error {
	_, err := c.do(ctx, "retract", job)
	return err
}

func (c *testChannel) Calls() []call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]call(nil), c.calls...)
}

// ops returns "op key" for each call, e.g. "deliver a@1".
func (c *testChannel) ops() []string {
	var out []string
	for _, cl := range c.Calls() {
		out = append(out, cl.Op+" "+cl.Key)
	}
	return out
}

// env is one test's bus: a real embedded server, the stream, the bucket.
type env struct {
	t     *testing.T
	srv   *natstest.Server
	conn  *bus.Conn
	pub   *bus.Bulletins
	store *delivery.Store
	topo  bus.Topology
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := natstest.Start(t)
	e := &env{t: t, srv: srv, topo: bus.Topology{AckWait: 2 * time.Second}}
	e.connect()
	return e
}

func (e *env) connect() {
	e.t.Helper()
	ctx := context.Background()
	e.conn = e.srv.Connect("test")
	var err error
	if e.pub, err = bus.NewBulletins(ctx, e.conn.JS); err != nil {
		e.t.Fatal(err)
	}
	if e.store, err = delivery.NewStore(ctx, e.conn.JS); err != nil {
		e.t.Fatal(err)
	}
}

// worker starts a worker of channel "telegram" on its own connection; stop ends it
// gracefully, and kill closes its connection without a word to the server.
func (e *env) worker(ch delivery.Channel, cfg delivery.Config) (stop, kill func()) {
	e.t.Helper()
	return e.workerWith(ch, cfg, nil)
}

// workerWith is worker reading latest revisions through revs (nil: the bus).
func (e *env) workerWith(ch delivery.Channel, cfg delivery.Config, revs delivery.Revisions) (stop, kill func()) {
	e.t.Helper()
	conn := e.srv.Connect("worker")
	ctx, cancel := context.WithCancel(context.Background())
	if cfg.Channel == "" {
		cfg.Channel = bulletin.Telegram
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = 20 * time.Millisecond
	}
	if cfg.Poll == 0 {
		cfg.Poll = 100 * time.Millisecond
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = 500 * time.Millisecond
	}
	cons, err := bus.Consumer(ctx, conn.JS, cfg.Channel, e.topo)
	if err != nil {
		e.t.Fatal(err)
	}
	store, err := delivery.NewStore(ctx, conn.JS)
	if err != nil {
		e.t.Fatal(err)
	}
	if revs == nil {
		if revs, err = bus.NewBulletins(ctx, conn.JS); err != nil {
			e.t.Fatal(err)
		}
	}
	w := delivery.NewWorker(cfg, ch, cons, store, revs)
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	// kill is a crash: the connection drops and the worker's goroutine is abandoned.
	kill = func() { once.Do(func() { conn.NC.Close(); cancel() }) }
	e.t.Cleanup(stop)
	return stop, kill
}

func (e *env) publish(id, body string, channels ...string) *bulletin.Revision {
	e.t.Helper()
	if len(channels) == 0 {
		channels = []string{bulletin.Telegram, bulletin.Web}
	}
	b := &bulletin.Bulletin{ID: id, Title: "Títol " + id, Lang: "ca", Group: id, Channels: channels, Body: body}
	p, err := e.pub.Publish(context.Background(), b, "test")
	if err != nil {
		e.t.Fatalf("publish %s: %v", id, err)
	}
	return p.Revision
}

func (e *env) record(id, channel string) *delivery.Record {
	e.t.Helper()
	rec, _, err := e.store.Get(context.Background(), id, channel)
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// waitState waits until the record of id on telegram is at rev in state.
func (e *env) waitState(id string, rev int, state delivery.State) *delivery.Record {
	e.t.Helper()
	var rec *delivery.Record
	natstest.WaitFor(e.t, 20*time.Second, fmt.Sprintf("%s@%d %s", id, rev, state), func() bool {
		rec = e.record(id, bulletin.Telegram)
		return rec != nil && rec.Rev == rev && rec.State == state
	})
	return rec
}
