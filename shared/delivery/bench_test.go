package delivery_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// noop is a channel that does nothing: the benchmark measures pregoner and the bus.
type noop struct{}

func (noop) Deliver(context.Context, delivery.Job) (delivery.Ref, error) { return delivery.Ref{}, nil }
func (noop) Update(context.Context, delivery.Job) (delivery.Ref, error)  { return delivery.Ref{}, nil }
func (noop) Retract(context.Context, delivery.Job) error                 { return nil }

var benchChannels = []string{bulletin.Telegram, bulletin.YouTube, bulletin.Web}

// pipeline runs one worker per channel (each on its own connection, as separate
// services would) and reports when each bulletin is recorded delivered on all three.
type pipeline struct {
	pub  *bus.Bulletins
	mu   sync.Mutex
	left map[string]int
	done map[string]time.Time
	all  chan struct{}
	want int
}

func startPipeline(b *testing.B, want int) *pipeline {
	b.Helper()
	srv := natstest.Start(b)
	conn := srv.Connect("publisher")
	pub, err := bus.NewBulletins(context.Background(), conn.JS)
	if err != nil {
		b.Fatal(err)
	}
	p := &pipeline{pub: pub, left: map[string]int{}, done: map[string]time.Time{}, all: make(chan struct{}), want: want}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	b.Cleanup(func() { cancel(); wg.Wait() })
	for _, ch := range benchChannels {
		wconn := srv.Connect("worker-" + ch)
		cfg := delivery.Config{Channel: ch, Poll: 100 * time.Millisecond, Observe: p.observe}
		wg.Go(func() { _ = delivery.Serve(ctx, wconn.JS, bus.Topology{}, cfg, noop{}, 1) })
	}
	return p
}

func (p *pipeline) observe(o delivery.Outcome) {
	if o.State != delivery.Delivered {
		return
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.left[o.ID]++
	if p.left[o.ID] == len(benchChannels) {
		p.done[o.ID] = now
		if len(p.done) == p.want {
			close(p.all)
		}
	}
}

func benchBulletin(i int) *bulletin.Bulletin {
	id := fmt.Sprintf("b-%06d", i)
	return &bulletin.Bulletin{ID: id, Title: "Avís " + id, Lang: "ca", Group: id, Channels: benchChannels,
		Body: "El **paer en cap** informa que cal quedar-se a casa."}
}

// BenchmarkPipeline: bulletins/s through publish → three workers → three records, with
// every write fsynced. Run: go test ./shared/delivery -run XXX -bench Pipeline -benchtime 2000x
func BenchmarkPipeline(b *testing.B) {
	p := startPipeline(b, b.N)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := p.pub.Publish(ctx, benchBulletin(i), "bench"); err != nil {
			b.Fatal(err)
		}
	}
	<-p.all
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bulletins/s")
}

// BenchmarkBareBus is the ceiling for the same work without pregoner: per bulletin one
// fsynced publish, then per channel one fetch, one KV write and one acknowledged ack,
// on one connection, in a plain nats.go loop.
func BenchmarkBareBus(b *testing.B) {
	srv := natstest.Start(b)
	conn := srv.Connect("bare")
	ctx := context.Background()
	kv, err := conn.JS.KeyValue(ctx, bus.BucketDeliveries)
	if err != nil {
		b.Fatal(err)
	}
	var cons []jetstream.Consumer
	for _, ch := range benchChannels {
		c, err := bus.Consumer(ctx, conn.JS, ch, bus.Topology{})
		if err != nil {
			b.Fatal(err)
		}
		cons = append(cons, c)
	}
	value := []byte(`{"id":"b","channel":"web","rev":1,"state":"delivered"}`)
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("b-%06d", i)
		subject, err := bus.RevisionSubject(id)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.JS.Publish(ctx, subject, value, jetstream.WithMsgID(id+"@1")); err != nil {
			b.Fatal(err)
		}
		for j, c := range cons {
			msg, err := c.Next()
			if err != nil {
				b.Fatal(err)
			}
			key, err := bus.RecordKey(id, benchChannels[j])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := kv.Put(ctx, key, value); err != nil {
				b.Fatal(err)
			}
			if err := msg.DoubleAck(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bulletins/s")
}

// BenchmarkLatencyAt200PerSecond publishes b.N bulletins at a steady 200 a second and
// reports p50 and p99 from publish-acknowledged to recorded delivered on all three
// channels. Run: go test ./shared/delivery -run XXX -bench Latency -benchtime 2000x
func BenchmarkLatencyAt200PerSecond(b *testing.B) {
	p := startPipeline(b, b.N)
	ctx := context.Background()
	acked := make([]time.Time, b.N)
	tick := time.NewTicker(time.Second / 200)
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		if _, err := p.pub.Publish(ctx, benchBulletin(i), "bench"); err != nil {
			b.Fatal(err)
		}
		acked[i] = time.Now()
	}
	<-p.all
	b.StopTimer()
	lat := make([]time.Duration, b.N)
	p.mu.Lock()
	for i := range b.N {
		lat[i] = p.done[benchBulletin(i).ID].Sub(acked[i])
	}
	p.mu.Unlock()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
