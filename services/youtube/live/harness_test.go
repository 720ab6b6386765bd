package live_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/services/youtube/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

// Credentials the test sandbox accepts. They must never show in a log or a record.
const (
	clientID     = "pregoner-test.apps.googleusercontent.com"
	clientSecret = "GOCSPX-s3cret-client-value"
	refreshToken = "1//0refresh-token-value-for-the-council"
	webBase      = "https://lleida.test/covid"
)

// env is one test's world: real embedded NATS, the YouTube sandbox behind a real HTTP
// server, and a clock both read.
type env struct {
	t     *testing.T
	nats  *natstest.Server
	pub   *bus.Bulletins
	store *delivery.Store
	clock *testenv.Clock
	sb    *sandbox.Server
	api   *httptest.Server
	logs  *testenv.Logs
}

// lockdown is when the tests take place: Lleida, March 2020.
var lockdown = time.Date(2020, 3, 14, 10, 0, 0, 0, time.FixedZone("CET", 3600))

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, nats: natstest.Start(t), clock: testenv.NewClock(lockdown), logs: &testenv.Logs{}}
	e.sb = sandbox.New(sandbox.Config{ClientID: clientID, ClientSecret: clientSecret,
		RefreshToken: refreshToken, Now: e.clock.Now})
	e.api = httptest.NewServer(e.sb.Handler())
	t.Cleanup(e.api.Close)
	conn := e.nats.Connect("test")
	var err error
	if e.pub, err = bus.NewBulletins(context.Background(), conn.JS); err != nil {
		t.Fatal(err)
	}
	if e.store, err = delivery.NewStore(context.Background(), conn.JS); err != nil {
		t.Fatal(err)
	}
	return e
}

// config is the worker's configuration as the environment would give it.
func (e *env) config(over map[string]string) live.Config {
	e.t.Helper()
	vars := map[string]string{
		"YOUTUBE_CLIENT_ID":     clientID,
		"YOUTUBE_CLIENT_SECRET": clientSecret,
		"YOUTUBE_REFRESH_TOKEN": refreshToken,
		"YOUTUBE_API_URL":       e.api.URL + "/",
		"YOUTUBE_TOKEN_URL":     e.api.URL + "/token",
		"WEB_BASE_URL":          webBase,
		"YOUTUBE_ACK_WAIT":      "2s",
		"YOUTUBE_MIN_BACKOFF":   "50ms",
		"YOUTUBE_TIMEOUT":       "5s",
	}
	for k, v := range over {
		vars[k] = v
	}
	cfg, err := live.LoadConfig(func(k string) string { return vars[k] })
	if err != nil {
		e.t.Fatal(err)
	}
	cfg.Now = e.clock.Now
	return cfg
}

// worker runs the YouTube service on its own bus connection. stop ends it gracefully;
// kill drops its connection without a word, as a crash does.
func (e *env) worker(cfg live.Config) (svc *live.Service, stop, kill func()) {
	e.t.Helper()
	conn := e.nats.Connect("youtube")
	svc, err := live.NewService(cfg, conn.JS, slog.New(slog.NewTextHandler(e.logs, nil)))
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var killed atomic.Bool
	go func() {
		defer close(done)
		if err := svc.Run(ctx); err != nil && !killed.Load() {
			e.t.Errorf("run: %v", err)
		}
	}()
	stop = func() { cancel(); <-done }
	kill = func() { killed.Store(true); conn.NC.Close(); cancel() }
	e.t.Cleanup(stop)
	return svc, stop, kill
}

// announcement is a live announcement two days ahead on the test clock.
func (e *env) announcement(id, title, body string) *bulletin.Bulletin {
	return &bulletin.Bulletin{ID: id, Title: "Avís: " + title, Lang: "ca", Group: id,
		Channels: []string{bulletin.Telegram, bulletin.YouTube, bulletin.Web}, Body: body,
		Live: &bulletin.Live{Start: e.clock.Now().Add(48 * time.Hour), Title: title}}
}

func (e *env) publish(b *bulletin.Bulletin) *bulletin.Revision {
	e.t.Helper()
	p, err := e.pub.Publish(context.Background(), b, "test")
	if err != nil {
		e.t.Fatalf("publish %s: %v", b.ID, err)
	}
	return p.Revision
}

func (e *env) record(id string) *delivery.Record {
	e.t.Helper()
	rec, _, err := e.store.Get(context.Background(), id, bulletin.YouTube)
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// waitState waits until the YouTube record of id is at rev in state.
func (e *env) waitState(id string, rev int, state delivery.State) *delivery.Record {
	e.t.Helper()
	var rec *delivery.Record
	natstest.WaitFor(e.t, 30*time.Second, fmt.Sprintf("%s@%d %s", id, rev, state), func() bool {
		rec = e.record(id)
		return rec != nil && rec.Rev == rev && rec.State == state
	})
	return rec
}

// permalink is bulletin id's page on the test site.
func permalink(id string) string { return webBase + "/bulletins/" + id }

// broadcasts returns the sandbox's broadcasts announcing bulletin id: those whose
// description ends with its permalink on a line of its own. It is written apart from
// ytfields.Announces, which the worker uses, so that a fault there shows here.
func (e *env) broadcasts(id string) []sandbox.Broadcast {
	var out []sandbox.Broadcast
	for _, b := range e.sb.Broadcasts() {
		if b.Description == permalink(id) || strings.HasSuffix(b.Description, "\n"+permalink(id)) {
			out = append(out, b)
		}
	}
	return out
}

// only returns the one broadcast of id, failing the test if there are none or more.
func (e *env) only(id string) sandbox.Broadcast {
	e.t.Helper()
	bs := e.broadcasts(id)
	if len(bs) != 1 {
		e.t.Fatalf("%s has %d broadcasts, want exactly 1: %+v", id, len(bs), bs)
	}
	return bs[0]
}

// quota is the quota day as ch reads it from the bus.
func (e *env) quota(ch *live.Channel) live.QuotaStatus {
	e.t.Helper()
	st, err := ch.Quota(context.Background())
	if err != nil {
		e.t.Fatalf("quota: %v", err)
	}
	return st
}

// channel is a Channel with its own bus connection and quota account, as another
// replica or a restarted worker has; the test calls it directly, without a worker.
func (e *env) channel(cfg live.Config) *live.Channel {
	e.t.Helper()
	conn := e.nats.Connect("youtube")
	q, err := live.OpenQuota(context.Background(), conn.JS, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	ch, err := live.NewChannel(cfg, q, slog.New(slog.NewTextHandler(e.logs, nil)))
	if err != nil {
		e.t.Fatal(err)
	}
	return ch
}

// job is the worker's call for revision rev of b, after the record prev.
func job(b *bulletin.Bulletin, rev int, prev delivery.Record, retry bool) delivery.Job {
	r := &bulletin.Revision{ID: b.ID, Rev: rev, Action: bulletin.Publish, Bulletin: b}
	return delivery.Job{Revision: r, Prev: prev, Retry: retry, Attempt: prev.Attempts + 1}
}

// get returns the body of a sandbox page, as a viewer's browser would fetch it.
func (e *env) get(path string) string {
	e.t.Helper()
	resp, err := e.api.Client().Get(e.api.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return string(body)
}
