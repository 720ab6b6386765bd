package deploy_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/deploy/natscluster"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// noop is a channel that does nothing: the benchmark measures pregoner and the bus.
type noop struct{}

func (noop) Deliver(context.Context, delivery.Job) (delivery.Ref, error) { return delivery.Ref{}, nil }
func (noop) Update(context.Context, delivery.Job) (delivery.Ref, error)  { return delivery.Ref{}, nil }
func (noop) Retract(context.Context, delivery.Job) error                 { return nil }

// rig is the pipeline: an editor connection publishing, one worker per channel on its
// own connection (as separate services), and the time each bulletin was recorded
// delivered on all three channels.
type rig struct {
	pub  *bus.Bulletins
	mu   sync.Mutex
	left map[string]int
	done map[string]time.Time
	all  chan struct{}
	want int
}

// dialer connects as a user; topo is what the services run with.
type dialer func(user string) *bus.Conn

func newRig(b *testing.B, want int, dial dialer, topo bus.Topology) *rig {
	b.Helper()
	ctx := context.Background()
	if err := bus.Setup(ctx, dial(creds.Admin).JS, topo); err != nil { // the set-up is the admin's
		b.Fatal(err)
	}
	editor := dial(creds.Editor)
	pub, err := bus.NewBulletins(ctx, editor.JS)
	if err != nil {
		b.Fatal(err)
	}
	r := &rig{pub: pub, left: map[string]int{}, done: map[string]time.Time{}, all: make(chan struct{}), want: want}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	b.Cleanup(func() { cancel(); wg.Wait() })
	for _, ch := range allChannels {
		conn := dial(ch)
		cfg := delivery.Config{Channel: ch, Poll: 100 * time.Millisecond, Observe: r.observe}
		wg.Go(func() { _ = delivery.Serve(ctx, conn.JS, topo, cfg, noop{}, 1) })
	}
	return r
}

func (r *rig) observe(o delivery.Outcome) {
	if o.State != delivery.Delivered {
		return
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.left[o.ID]++
	if r.left[o.ID] == len(allChannels) {
		r.done[o.ID] = now
		if len(r.done) == r.want {
			close(r.all)
		}
	}
}

// run publishes b.N bulletins, one every interval (0: as fast as acknowledged), waits
// until all are delivered on every channel, and reports throughput and the p50/p99
// time from the publish being acknowledged to the third channel's record.
func (r *rig) run(b *testing.B, interval time.Duration) {
	ctx := context.Background()
	acked := make([]time.Time, b.N)
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	b.ResetTimer()
	for i := range b.N {
		if tick != nil {
			<-tick
		}
		if _, err := r.pub.Publish(ctx, sampleBulletin(burstID(i)), "bench"); err != nil {
			b.Fatal(err)
		}
		acked[i] = time.Now()
	}
	<-r.all
	b.StopTimer()
	lat := make([]time.Duration, b.N)
	r.mu.Lock()
	for i := range b.N {
		lat[i] = r.done[burstID(i)].Sub(acked[i])
	}
	r.mu.Unlock()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bulletins/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op") // meaningless here: the figures above are per bulletin
}

// setups are the two buses compared in the same run: the hub's embedded single node
// (R1) and the deploy/nats 3-node cluster (R3, each service its own user). Both fsync
// every write before acknowledging it.
var setups = []struct {
	name  string
	start func(b *testing.B, want int) *rig
}{
	{"embedded-R1", func(b *testing.B, want int) *rig {
		srv := natstest.Start(b)
		dial := func(user string) *bus.Conn { return srv.Connect(user) }
		return newRig(b, want, dial, bus.Topology{})
	}},
	{"cluster-R3", func(b *testing.B, want int) *rig {
		c := natscluster.Start(b)
		return newRig(b, want, c.Connect, bus.Topology{Replicas: 3})
	}},
}

// BenchmarkPipelineBurst: bulletins published back to back, as in an import of many
// files: throughput, and how long the last ones wait behind the others.
// Run: go test ./deploy -run XXX -bench PipelineBurst -benchtime 500x
func BenchmarkPipelineBurst(b *testing.B) {
	for _, s := range setups {
		b.Run(s.name, func(b *testing.B) { s.start(b, b.N).run(b, 0) })
	}
}

// BenchmarkPipelineSteady: bulletins at a steady 20 a second (far above the council's
// busiest hour): the latency a citizen sees from publish to the last channel.
// Run: go test ./deploy -run XXX -bench PipelineSteady -benchtime 300x
func BenchmarkPipelineSteady(b *testing.B) {
	for _, s := range setups {
		b.Run(s.name, func(b *testing.B) { s.start(b, b.N).run(b, time.Second/20) })
	}
}
