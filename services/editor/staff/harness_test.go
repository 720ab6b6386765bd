package staff_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// t0 is a Saturday morning during the lockdown.
var t0 = time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)

const password = "correct horse battery"

// env is one editor on a real embedded NATS server, served over TLS so the browser
// rules for __Host- cookies hold, as behind the council's proxy.
type env struct {
	t     testing.TB
	nats  *natstest.Server
	conn  *bus.Conn
	clock *clock
	cfg   staff.Config
	svc   *staff.Service
	srv   *httptest.Server
	pub   *bus.Bulletins
}

func testConfig(t testing.TB) staff.Config {
	cfg := staff.DefaultConfig()
	cfg.SecretKeyFile = testKeyFile(t)
	cfg.FailDelay = time.Millisecond
	cfg.BcryptCost = 4 // bcrypt.MinCost: tests need not be slow to guess
	cfg.WebBaseURL = "https://covid.paeria.test"
	return cfg
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, nats: natstest.Start(t), clock: &clock{t: t0}, cfg: testConfig(t)}
	e.start()
	return e
}

// start connects and builds the service (again, after a restart).
func (e *env) start() {
	e.t.Helper()
	e.conn = e.nats.Connect("editor")
	svc, err := staff.NewServiceWith(e.cfg, e.conn.JS, nil, staff.Options{Now: e.clock.Now, ScheduleTick: 20 * time.Millisecond, SessionCheck: 50 * time.Millisecond})
	if err != nil {
		e.t.Fatal(err)
	}
	e.svc = svc
	if e.srv != nil {
		e.srv.Close()
	}
	e.srv = httptest.NewTLSServer(fromRemote(svc.Handler()))
	e.t.Cleanup(e.srv.Close)
	if e.pub, err = bus.NewBulletins(context.Background(), e.conn.JS); err != nil {
		e.t.Fatal(err)
	}
}

// remoteHeader sets the client address a test request comes from, as if from another
// machine: every test request really comes from 127.0.0.1.
const remoteHeader = "X-Test-Remote"

func fromRemote(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get(remoteHeader); a != "" {
			r.RemoteAddr = a
			r.Header.Del(remoteHeader)
		}
		h.ServeHTTP(w, r)
	})
}

// background runs the service's own work — the schedule runner, the watch of sandbox
// channels — on the test clock, until the returned stop (or the test's end).
func (e *env) background() (stop func()) {
	e.t.Helper()
	return runBackground(e.t, e.svc)
}

func runBackground(t testing.TB, svc *staff.Service) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Background(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// user adds an account and returns its TOTP secret.
func (e *env) user(name string, role accounts.Role) string {
	e.t.Helper()
	na, err := e.svc.Accounts.AddUser(context.Background(), name, role, password, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := url.Parse(na.URI)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.Query().Get("secret")
}

func (e *env) code(secret string) string {
	e.t.Helper()
	c, err := accounts.Code(secret, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// browser is a staff member's browser: a cookie jar, no automatic redirects, and the
// headers a browser sends on a same-origin form post.
type browser struct {
	e      *env
	client *http.Client
	lang   string // Accept-Language; "" sends none
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := *e.srv.Client() // a copy: each browser has its own cookies
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{e: e, client: &c, lang: "en"}
}

type resp struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(method, path string, form url.Values, hdr map[string]string) resp {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodPost {
		req.Header.Set("Origin", b.e.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	// These tests read the editor's English words; i18n_test.go checks the Catalan
	// default and the other ways a language is chosen.
	req.Header.Set("Accept-Language", b.lang)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, string(data), res.Header}
}

func (b *browser) get(path string) resp { return b.do(http.MethodGet, path, nil, nil) }
func (b *browser) post(path string, form url.Values) resp {
	return b.do(http.MethodPost, path, form, nil)
}

func (b *browser) login(name, pw, code string) resp {
	return b.post("/login", url.Values{"name": {name}, "password": {pw}, "code": {code}})
}

// loginFrom logs in from another client address (host:port).
func (b *browser) loginFrom(remote, name, pw, code string) resp {
	return b.do(http.MethodPost, "/login", url.Values{"name": {name}, "password": {pw}, "code": {code}}, map[string]string{remoteHeader: remote})
}

// loggedIn returns a browser logged in as a new account; the clock moves on a TOTP
// step first so the code is fresh.
func (e *env) loggedIn(name string, role accounts.Role) *browser {
	e.t.Helper()
	secret := e.user(name, role)
	b := e.browser()
	if r := b.login(name, password, e.code(secret)); r.status != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d %s", name, r.status, r.body)
	}
	return b
}

// apiCall calls the JSON API with a bearer token.
func (e *env) apiCall(token, method, path, contentType, body string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(res.Body)
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			e.t.Fatalf("%s %s: not JSON (%d): %s", method, path, res.StatusCode, data)
		}
	}
	return res.StatusCode, out
}

// audited returns the audit events with action, newest first.
func (e *env) audited(action string) []audit.Event {
	e.t.Helper()
	all, err := e.svc.Audit.Recent(context.Background(), 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []audit.Event
	for _, ev := range all {
		if ev.Action == action {
			out = append(out, ev)
		}
	}
	return out
}

// testKeyFile is a fresh key file for sealing TOTP secrets, as the hub writes one.
func testKeyFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "editor-totp.key")
	if err := accounts.EnsureKeyFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}
