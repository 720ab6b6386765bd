package poster_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/tghtml"
)

// benchEnv is a local Bot API server with rate limits off and an embedded NATS server
// that batches fsyncs (bus.EmbeddedConfig.RelaxedSync: benchmarks only).
type benchEnv struct {
	api  *httptest.Server
	conn *bus.Conn
	cfg  poster.Config
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	sb := sandbox.New(sandbox.Config{Token: testToken, PerChat: -1, Global: -1})
	api := httptest.NewServer(sb)
	b.Cleanup(api.Close)
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Port: -1, StoreDir: b.TempDir(), RelaxedSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Shutdown)
	conn, err := bus.Connect(context.Background(), bus.ConnConfig{URL: srv.URL(), Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.NC.Close() })
	if err := bus.Setup(context.Background(), conn.JS, bus.Topology{}); err != nil {
		b.Fatal(err)
	}
	cfg := poster.Config{Token: testToken, ChatID: chatCA, APIURL: api.URL, WebBaseURL: webBase,
		PerChatPerMinute: -1, GlobalPerSecond: -1,
		Delivery: delivery.Config{Poll: 50 * time.Millisecond}}
	return &benchEnv{api: api, conn: conn, cfg: cfg}
}

func benchBulletin(i int) *bulletin.Bulletin {
	return &bulletin.Bulletin{ID: fmt.Sprintf("b-%07d", i), Title: "Avís", Lang: "ca", Group: "b",
		Channels: []string{bulletin.Telegram}, Body: "El **paer en cap** informa que cal quedar-se a casa. 😷"}
}

// BenchmarkSendRaw is the yardstick: bot.SendMessage straight to the local server,
// with the text already rendered.
func BenchmarkSendRaw(b *testing.B) {
	e := newBenchEnv(b)
	bt, err := bot.New(testToken, bot.WithServerURL(e.api.URL), bot.WithSkipGetMe())
	if err != nil {
		b.Fatal(err)
	}
	html := tghtml.NewRenderer(webBase).Messages(benchBulletin(0), webBase+"/bulletins/b")[0]
	ctx := context.Background()
	start := time.Now()
	for b.Loop() {
		if _, err := bt.SendMessage(ctx, &bot.SendMessageParams{ChatID: chatCA, Text: html, ParseMode: "HTML"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkSendChannel sends through the worker's channel adapter: render, split,
// pace (off), send, and record the message id in the TELEGRAM_POSTS bucket.
func BenchmarkSendChannel(b *testing.B) {
	e := newBenchEnv(b)
	svc, err := poster.NewService(e.cfg, e.conn.JS, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	ch := svc.Channel()
	ctx := context.Background()
	i := 0
	start := time.Now()
	for b.Loop() {
		bl := benchBulletin(i)
		i++
		job := delivery.Job{Revision: &bulletin.Revision{ID: bl.ID, Rev: 1, Action: bulletin.Publish, Bulletin: bl}, Attempt: 1}
		if _, err := ch.Deliver(ctx, job); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkSendWorker is the whole path: bulletins already on the bus, the delivery
// worker takes each in order, sends it, records it and acknowledges it.
func BenchmarkSendWorker(b *testing.B) {
	e := newBenchEnv(b)
	ctx := context.Background()
	pub, err := bus.NewBulletins(ctx, e.conn.JS)
	if err != nil {
		b.Fatal(err)
	}
	store, err := delivery.NewStore(ctx, e.conn.JS)
	if err != nil {
		b.Fatal(err)
	}
	n := b.N
	for i := range n {
		if _, err := pub.Publish(ctx, benchBulletin(i), "bench"); err != nil {
			b.Fatal(err)
		}
	}
	svc, err := poster.NewService(e.cfg, e.conn.JS, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	b.ResetTimer()
	start := time.Now()
	go func() { defer close(done); _ = svc.Run(runCtx) }()
	last := benchBulletin(n - 1).ID
	for {
		rec, _, err := store.Get(ctx, last, bulletin.Telegram)
		if err != nil {
			b.Fatal(err)
		}
		if rec != nil && rec.State == delivery.Delivered {
			break
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
}

// BenchmarkSendChannelVsRaw alternates one raw bot.SendMessage and one delivery
// through the channel adapter in each iteration, so both see the same machine load,
// and reports both rates and the adapter's overhead in percent (aim: at most 20).
func BenchmarkSendChannelVsRaw(b *testing.B) {
	e := newBenchEnv(b)
	svc, err := poster.NewService(e.cfg, e.conn.JS, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	ch := svc.Channel()
	bt, err := bot.New(testToken, bot.WithServerURL(e.api.URL), bot.WithSkipGetMe())
	if err != nil {
		b.Fatal(err)
	}
	html := tghtml.NewRenderer(webBase).Messages(benchBulletin(0), webBase+"/bulletins/b")[0]
	ctx := context.Background()
	var raw, adapter time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if _, err := bt.SendMessage(ctx, &bot.SendMessageParams{ChatID: chatCA, Text: html, ParseMode: "HTML"}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		bl := benchBulletin(i)
		i++
		job := delivery.Job{Revision: &bulletin.Revision{ID: bl.ID, Rev: 1, Action: bulletin.Publish, Bulletin: bl}, Attempt: 1}
		if _, err := ch.Deliver(ctx, job); err != nil {
			b.Fatal(err)
		}
		adapter += time.Since(t1)
		raw += t1.Sub(t0)
	}
	b.ReportMetric(float64(b.N)/raw.Seconds(), "raw-msgs/s")
	b.ReportMetric(float64(b.N)/adapter.Seconds(), "channel-msgs/s")
	b.ReportMetric(100*(float64(adapter)/float64(raw)-1), "overhead-%")
}
