package poster_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

const (
	testToken = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	chatCA    = "@lapaeriaexplica"
	chatES    = "@lapaeriaexplica_es"
	webBase   = "https://covid.paeria.cat"
)

// clock moves with real time plus an offset the test can add (the 48-hour rule).
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// env is one test's world: a real embedded NATS server, the sandbox behind a real
// HTTP server, and the test's clock shared by both.
type env struct {
	t     *testing.T
	srv   *natstest.Server
	pub   *bus.Bulletins
	store *delivery.Store
	sb    *sandbox.Server
	api   *httptest.Server
	clk   *clock
	logs  *testenv.Logs
}

func newEnv(t *testing.T, sbCfg sandbox.Config) *env {
	t.Helper()
	e := &env{t: t, srv: natstest.Start(t), clk: &clock{}, logs: &testenv.Logs{}}
	conn := e.srv.Connect("test")
	var err error
	if e.pub, err = bus.NewBulletins(context.Background(), conn.JS); err != nil {
		t.Fatal(err)
	}
	if e.store, err = delivery.NewStore(context.Background(), conn.JS); err != nil {
		t.Fatal(err)
	}
	if sbCfg.Token == "" {
		sbCfg.Token = testToken
	}
	if sbCfg.PerChat == 0 {
		sbCfg.PerChat = -1
	}
	if sbCfg.Global == 0 {
		sbCfg.Global = -1
	}
	sbCfg.Now = e.clk.Now
	e.sb = sandbox.New(sbCfg)
	e.api = httptest.NewServer(e.sb)
	t.Cleanup(e.api.Close)
	return e
}

// config is a service configuration against the sandbox, pacing off, quick retries.
func (e *env) config() poster.Config {
	return poster.Config{
		Token:            testToken,
		ChatID:           chatCA,
		ChatByLang:       map[string]string{"es": chatES},
		APIURL:           e.api.URL,
		WebBaseURL:       webBase,
		PerChatPerMinute: -1,
		GlobalPerSecond:  -1,
		RequestTimeout:   2 * time.Second,
		Delivery: delivery.Config{MinBackoff: 20 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
			Poll: 100 * time.Millisecond, Heartbeat: 300 * time.Millisecond},
		Topology: bus.Topology{AckWait: 2 * time.Second},
		Now:      e.clk.Now,
	}
}

// start runs a service on its own bus connection. stop ends it gracefully; kill is a
// crash: the bus connection drops and the call in flight is abandoned.
func (e *env) start(cfg poster.Config) (stop, kill func()) {
	e.t.Helper()
	conn := e.srv.Connect("telegram")
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc, err := poster.NewService(cfg, conn.JS, log)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := svc.Run(ctx); err != nil && ctx.Err() == nil {
			e.t.Errorf("service stopped: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	kill = func() { once.Do(func() { conn.NC.Close(); cancel() }) }
	e.t.Cleanup(stop)
	return stop, kill
}

func (e *env) publish(id, lang, title, body string) *bulletin.Revision {
	e.t.Helper()
	b := &bulletin.Bulletin{ID: id, Title: title, Lang: lang, Group: id, Channels: []string{bulletin.Telegram, bulletin.Web}, Body: body}
	p, err := e.pub.Publish(context.Background(), b, "test")
	if err != nil {
		e.t.Fatalf("publish %s: %v", id, err)
	}
	return p.Revision
}

func (e *env) record(id string) *delivery.Record {
	e.t.Helper()
	rec, _, err := e.store.Get(context.Background(), id, bulletin.Telegram)
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// wait waits until the record of id is at rev in state.
func (e *env) wait(id string, rev int, state delivery.State) *delivery.Record {
	e.t.Helper()
	var rec *delivery.Record
	natstest.WaitFor(e.t, 60*time.Second, fmt.Sprintf("%s@%d %s", id, rev, state), func() bool {
		rec = e.record(id)
		return rec != nil && rec.Rev == rev && rec.State == state
	})
	return rec
}

// texts is what citizens see in chat, one entry per message.
func (e *env) texts(chat string) []string {
	var out []string
	for _, m := range e.sb.Messages(chat) {
		out = append(out, m.Text)
	}
	return out
}

// noEarlyRequests fails the test if any request came before a retry_after expired.
func (e *env) noEarlyRequests() (throttled int) {
	e.t.Helper()
	for _, r := range e.sb.Requests() {
		if r.Early {
			e.t.Errorf("request %s to %s at %s came before its retry_after expired", r.Method, r.Chat, r.At.Format(time.StampMilli))
		}
		if r.Status == 429 {
			throttled++
		}
	}
	return throttled
}

// noToken fails the test if the token shows in any log line or any version of id's
// delivery record.
func (e *env) noToken(ids ...string) {
	e.t.Helper()
	if strings.Contains(e.logs.String(), testToken) || strings.Contains(e.logs.String(), strings.Split(testToken, ":")[1]) {
		e.t.Errorf("the bot token appears in the logs")
	}
	for _, id := range ids {
		hist, err := e.store.History(context.Background(), id, bulletin.Telegram)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, r := range hist {
			if strings.Contains(r.Error, strings.Split(testToken, ":")[1]) {
				e.t.Errorf("the bot token appears in the record of %s: %q", id, r.Error)
			}
		}
	}
}

// longBody is a body that renders to about n messages.
func longBody(n int) string {
	var b strings.Builder
	for i := range n * 20 {
		fmt.Fprintf(&b, "Paràgraf %d: la Paeria recorda que cal quedar-se a casa i rentar-se les mans sovint; "+
			"les farmàcies i els mercats municipals obren amb horaris especials durant el confinament. 😷\n\n", i+1)
	}
	return b.String()
}
