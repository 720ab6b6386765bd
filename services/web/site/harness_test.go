package site_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// testBase is the public address the page believes it has; requests go to the real
// listener, links and records must say testBase.
const testBase = "https://covid.paeria.test"

// waitLimit bounds every wait for something the page must show. Things normally show
// within milliseconds; the limit is generous for a loaded CI machine.
const waitLimit = 20 * time.Second

// env is one test's world: a real embedded NATS server, the editor's publisher, the
// delivery records, and a running web service.
type env struct {
	t     *testing.T
	srv   *natstest.Server
	conn  *bus.Conn // the editor's connection
	pub   *bus.Bulletins
	store *delivery.Store
	svc   *site.Service
	url   string // http://127.0.0.1:port of the running service
	stop  func()
}

func testConfig() site.Config {
	cfg := site.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.BaseURL = testBase
	return cfg
}

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("WEB_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

func newEnv(t *testing.T, cfg site.Config) *env {
	t.Helper()
	e := &env{t: t, srv: natstest.Start(t)}
	conn := e.srv.Connect("editor")
	e.conn = conn
	var err error
	ctx := context.Background()
	if e.pub, err = bus.NewBulletins(ctx, conn.JS); err != nil {
		t.Fatal(err)
	}
	if e.store, err = delivery.NewStore(ctx, conn.JS); err != nil {
		t.Fatal(err)
	}
	e.start(cfg)
	return e
}

// start runs a web service on its own connection and waits until its feed is rebuilt.
func (e *env) start(cfg site.Config) {
	e.t.Helper()
	conn := e.srv.Connect("web")
	svc, err := site.NewService(cfg, conn.JS, testLogger(e.t))
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	stopped := false
	e.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				e.t.Errorf("service stopped with %v", err)
			}
		case <-time.After(20 * time.Second):
			e.t.Errorf("service did not stop within 20s")
		}
	}
	e.t.Cleanup(e.stop)
	natstest.WaitFor(e.t, waitLimit, "the page to listen", func() bool { return svc.Addr() != "" })
	e.svc, e.url = svc, "http://"+svc.Addr()
	natstest.WaitFor(e.t, 20*time.Second, "the feed to be rebuilt", func() bool {
		return e.get("/healthz", nil).status == http.StatusOK
	})
}

// resp is a response read whole.
type resp struct {
	status int
	header http.Header
	body   string // decompressed when the server gzipped it
	raw    []byte // as sent
}

// get fetches path with the given request headers; compression is left to the test.
func (e *env) get(path string, header map[string]string) resp {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.url+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	body := raw
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			e.t.Fatalf("GET %s: gzip: %v", path, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			e.t.Fatalf("GET %s: gzip: %v", path, err)
		}
	}
	return resp{status: res.StatusCode, header: res.Header, body: string(body), raw: raw}
}

// waitBody waits until GET path answers status with a body that contains want.
func (e *env) waitBody(path string, header map[string]string, status int, want string) resp {
	e.t.Helper()
	var r resp
	natstest.WaitFor(e.t, waitLimit, fmt.Sprintf("GET %s to answer %d with %q", path, status, want), func() bool {
		r = e.get(path, header)
		return r.status == status && strings.Contains(r.body, want)
	})
	return r
}

func (e *env) publish(b *bulletin.Bulletin) *bulletin.Revision {
	e.t.Helper()
	if b.Lang == "" {
		b.Lang = "ca"
	}
	if b.Group == "" {
		b.Group = b.ID
	}
	if b.Channels == nil {
		b.Channels = []string{bulletin.Telegram, bulletin.Web}
	}
	p, err := e.pub.Publish(context.Background(), b, "premsa")
	if err != nil {
		e.t.Fatalf("publish %s: %v", b.ID, err)
	}
	return p.Revision
}

func (e *env) retract(id string) *bulletin.Revision {
	e.t.Helper()
	rev, err := e.pub.Retract(context.Background(), id, "premsa")
	if err != nil {
		e.t.Fatalf("retract %s: %v", id, err)
	}
	return rev
}

// waitRecord waits until the web delivery record of id is at rev in state.
func (e *env) waitRecord(id string, rev int, state delivery.State) *delivery.Record {
	e.t.Helper()
	var rec *delivery.Record
	natstest.WaitFor(e.t, waitLimit, fmt.Sprintf("web record %s@%d %s", id, rev, state), func() bool {
		var err error
		rec, _, err = e.store.Get(context.Background(), id, bulletin.Web)
		if err != nil {
			e.t.Fatal(err)
		}
		return rec != nil && rec.Rev == rev && rec.State == state
	})
	return rec
}

// putYouTube writes the youtube delivery record of id at revision 1, as the YouTube
// worker would once it scheduled (carried 1) or withdrew (carried 0) the broadcast.
func (e *env) putYouTube(id string, carried int, state delivery.State, ref delivery.Ref) {
	e.t.Helper()
	ctx := context.Background()
	cur, rev, err := e.store.Get(ctx, id, bulletin.YouTube)
	if err != nil {
		e.t.Fatal(err)
	}
	if cur == nil {
		rev = 0
	}
	rec := &delivery.Record{ID: id, Channel: bulletin.YouTube, Rev: 1, Action: bulletin.Publish,
		State: state, Carried: carried, Ref: ref, Attempts: 1, Updated: time.Now().UTC()}
	if _, err := e.store.Put(ctx, rec, rev); err != nil {
		e.t.Fatal(err)
	}
}
