package deliverytest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// Bus is where a model runs: one embedded server or a cluster.
type Bus interface {
	// Connect returns a new connection with the stream and buckets set up; the test
	// closes it when it ends.
	Connect(t testing.TB, name string) *bus.Conn
	// Restart stops a server (on a cluster, one node) and starts it again on its store.
	Restart(t testing.TB)
	Topology() bus.Topology
}

// Config sizes a run.
type Config struct {
	Seed  uint64
	Steps int // staff and operator actions in the sequence
	// Replicas of the worker running at once.
	Replicas int
	// Settle bounds how long the channel may take to converge once faults stop.
	Settle time.Duration
}

const channel = bulletin.Telegram

// Run plays one random sequence on b and checks the contract once it has settled: the
// channel shows exactly each bulletin's latest decision, every record matches what is
// shown, nothing is left pending, no call acted on a decision staff had already
// replaced, and poison messages held nothing up. It returns what happened, for the log.
func Run(t testing.TB, b Bus, cfg Config) string {
	t.Helper()
	m := newModel(t, b, cfg)
	defer m.stopWorkers()
	m.play()
	m.settle()
	return fmt.Sprintf("seed %d: %d steps (%s); %s", cfg.Seed, cfg.Steps, m.summary(), m.double.Stats())
}

type model struct {
	t      testing.TB
	b      Bus
	cfg    Config
	rng    *rand.Rand
	double *Double
	pub    *bus.Bulletins
	store  *delivery.Store
	conn   *bus.Conn
	ids    []string
	body   map[string]int
	did    map[string]int

	mu      sync.Mutex
	workers []*runningWorker
}

type runningWorker struct {
	conn   *bus.Conn
	cancel context.CancelFunc
	done   chan struct{}
}

func newModel(t testing.TB, b Bus, cfg Config) *model {
	m := &model{t: t, b: b, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 1)), double: NewDouble(cfg.Seed),
		body: map[string]int{}, did: map[string]int{}}
	m.conn = b.Connect(t, "model-staff")
	m.bind()
	for i := range 5 {
		m.ids = append(m.ids, fmt.Sprintf("avis-%d", i+1))
	}
	for range max(cfg.Replicas, 1) {
		m.startWorker()
	}
	return m
}

func (m *model) bind() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err error
	if m.pub, err = bus.NewBulletins(ctx, m.conn.JS); err != nil {
		m.fatalf("bind bulletins: %v", err)
	}
	if m.store, err = delivery.NewStore(ctx, m.conn.JS); err != nil {
		m.fatalf("bind deliveries: %v", err)
	}
}

func (m *model) fatalf(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("seed %d: "+format, append([]any{m.cfg.Seed}, args...)...)
}

func (m *model) startWorker() {
	conn := m.b.Connect(m.t, "model-worker")
	ctx, cancel := context.WithCancel(context.Background())
	// As a supervisor restarts a worker that could not bind while the cluster elects
	// leaders after a restart, binding is tried again for a while.
	var w *delivery.Worker
	var err error
	for range 6 {
		if w, err = m.bindWorker(ctx, conn); err == nil {
			break
		}
		time.Sleep(time.Second)
	}
	if err != nil {
		cancel()
		m.fatalf("start a worker: %v", err)
	}
	rw := &runningWorker{conn: conn, cancel: cancel, done: make(chan struct{})}
	go func() { defer close(rw.done); _ = w.Run(ctx) }()
	m.mu.Lock()
	m.workers = append(m.workers, rw)
	m.mu.Unlock()
}

func (m *model) bindWorker(ctx context.Context, conn *bus.Conn) (*delivery.Worker, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cons, err := bus.Consumer(cctx, conn.JS, channel, m.b.Topology())
	if err != nil {
		return nil, fmt.Errorf("consumer: %w", err)
	}
	store, err := delivery.NewStore(cctx, conn.JS)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	revs, err := bus.NewBulletins(cctx, conn.JS)
	if err != nil {
		return nil, fmt.Errorf("bulletins: %w", err)
	}
	return delivery.NewWorker(delivery.Config{Channel: channel, MaxAttempts: 3,
		MinBackoff: 40 * time.Millisecond, MaxBackoff: 400 * time.Millisecond,
		Poll: 100 * time.Millisecond, Grace: 300 * time.Millisecond, Heartbeat: 300 * time.Millisecond},
		m.double, cons, store, revs), nil
}

// kill crashes a worker: its connection drops without a word and its goroutine is
// abandoned mid-call, as with kill -9; a replacement starts.
func (m *model) kill() {
	m.mu.Lock()
	rw := m.workers[0]
	m.workers = m.workers[1:]
	m.mu.Unlock()
	rw.conn.NC.Close()
	rw.cancel()
	m.startWorker()
}

func (m *model) stopWorkers() {
	m.mu.Lock()
	ws := m.workers
	m.workers = nil
	m.mu.Unlock()
	for _, rw := range ws {
		rw.cancel()
		<-rw.done
	}
}

// play runs the random sequence.
func (m *model) play() {
	m.double.SetFaultRate(0.25)
	m.poison()
	for range m.cfg.Steps {
		id := m.ids[m.rng.IntN(len(m.ids))]
		switch r := m.rng.IntN(100); {
		case r < 40:
			m.publish(id)
		case r < 52:
			m.retract(id)
		case r < 60:
			m.redriveDead()
		case r < 72:
			m.refresh(id)
		case r < 78:
			m.did["kill"]++
			m.kill()
		case r < 82:
			m.did["restart"]++
			m.b.Restart(m.t)
		case r < 85:
			m.poison()
		default:
			time.Sleep(time.Duration(m.rng.IntN(200)) * time.Millisecond)
		}
		// Staff act at human-ish intervals, so some revisions are carried before the
		// next decision and others are still queued when it comes.
		time.Sleep(time.Duration(m.rng.IntN(30)) * time.Millisecond)
	}
}

// publish publishes a new text of id (a first publish, a correction, or a publish after
// a retraction), on the Telegram channel or, now and then, without it.
func (m *model) publish(id string) {
	m.body[id]++
	channels := []string{channel, bulletin.Web}
	if m.rng.IntN(8) == 0 {
		channels = []string{bulletin.Web}
	}
	b := &bulletin.Bulletin{ID: id, Title: "Avís " + id, Lang: "ca", Group: id, Channels: channels,
		Body: fmt.Sprintf("Text %d de %s.", m.body[id], id)}
	p, err := retry(m, func(ctx context.Context) (bus.Published, error) { return m.pub.Publish(ctx, b, "model") })
	if err != nil {
		m.fatalf("publish %s: %v", id, err)
	}
	if p.Changed {
		m.did["publish"]++
		m.double.Acked(id, p.Revision.Rev, time.Now())
	}
}

func (m *model) retract(id string) {
	rev, err := retry(m, func(ctx context.Context) (*bulletin.Revision, error) { return m.pub.Retract(ctx, id, "model") })
	switch {
	case err == nil:
		m.did["retract"]++
		m.double.Acked(id, rev.Rev, time.Now())
	case errors.Is(err, bus.ErrNotFound), strings.Contains(err.Error(), "already retracted"):
	default:
		m.fatalf("retract %s: %v", id, err)
	}
}

// redriveDead re-drives every dead delivery, as staff pressing Retry would.
func (m *model) redriveDead() {
	for _, id := range m.ids {
		rec, _, err := m.store.Get(context.Background(), id, channel)
		if err != nil || rec == nil || rec.State != delivery.Dead {
			continue
		}
		if err := delivery.Redrive(context.Background(), m.store, m.pub, id, channel, "model"); err == nil {
			m.did["redrive"]++
		}
	}
}

// refresh asks for a refresh of a delivered bulletin, as the Telegram service does when
// a broadcast link comes (a re-drive request on bus.RedriveSubject while the record is
// delivered). Now and then a correction or a retraction is published just before, so
// the request is queued behind a newer decision: it must never bring the old revision
// back nor overtake the new one.
func (m *model) refresh(id string) {
	rec, _, err := m.store.Get(context.Background(), id, channel)
	if err != nil || rec == nil || rec.State != delivery.Delivered {
		return
	}
	switch m.rng.IntN(3) {
	case 0:
		m.did["refresh after a correction"]++
		m.publish(id)
	case 1:
		m.did["refresh after a retraction"]++
		m.retract(id)
	default:
		m.did["refresh"]++
	}
	if _, err := retry(m, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, m.pub.Redrive(ctx, id, channel)
	}); err != nil {
		m.fatalf("refresh %s: %v", id, err)
	}
}

// poison puts messages no worker can handle on the stream, as a rogue or buggy client
// might: a wildcard id, an id breaking the slug rule, and a body that is not a revision.
func (m *model) poison() {
	m.did["poison"]++
	for _, p := range []struct{ subject, data string }{
		{"bulletins.*", `{"id":"*","rev":1,"bulletin":{}}`},
		{"bulletins.Mal_Id", `{"id":"Mal_Id","rev":1,"bulletin":{}}`},
		{"bulletins.trencat", `{"id":"trencat","rev":`},
	} {
		_, _ = retry(m, func(ctx context.Context) (*jetstream.PubAck, error) {
			return m.conn.JS.Publish(ctx, p.subject, []byte(p.data))
		})
	}
}

// retry repeats a staff action through a server restart or a leader election, as the
// editor's user would press the button again.
func retry[T any](m *model, f func(ctx context.Context) (T, error)) (T, error) {
	var v T
	var err error
	for range 40 {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		v, err = f(ctx)
		cancel()
		if err == nil || errors.Is(err, bus.ErrNotFound) || strings.Contains(err.Error(), "already retracted") {
			return v, err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return v, err
}

func (m *model) summary() string {
	keys := make([]string, 0, len(m.did))
	for k := range m.did {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m.did[k]))
	}
	return strings.Join(parts, ", ")
}
