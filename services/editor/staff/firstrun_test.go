package staff_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/testenv"
)

var firstRunRE = regexp.MustCompile(`first run: open (http://127\.0\.0\.1:\d+)/first-run/([A-Za-z0-9_-]{43}) to create the first administrator`)

// serveLogged runs another replica of the editor on e's bus, listening on a port of
// its own, and returns its log once it has said it listens.
func (e *env) serveLogged() *testenv.Logs {
	e.t.Helper()
	var buf testenv.Logs
	svc, err := staff.NewServiceWith(e.cfg, e.conn.JS, slog.New(slog.NewTextHandler(&buf, nil)), staff.Options{Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Serve(ctx, ln) }()
	e.t.Cleanup(func() { cancel(); <-done })
	waitFor(e.t, "the editor to listen", func() bool { return strings.Contains(buf.String(), "editor listening") })
	return &buf
}

func waitFor(t testing.TB, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var groupedSecretRE = regexp.MustCompile(`id="totp-secret" class="secret">((?:[A-Z2-7]{4} )+[A-Z2-7]{1,4})<`)

// No account yet: the editor logs a one-time link; the page says the password rule
// before anything is typed, refuses bad input at its field keeping the name, shows the
// second factor as an app asks for it (groups of four and a QR code), creates the
// administrator on a right code, audited in her name, logs her in, and the link is
// gone.
func TestFirstRunInTheBrowser(t *testing.T) {
	e := newEnv(t)
	log := e.serveLogged()
	m := firstRunRE.FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no first-run link in the log:\n%s", log)
	}
	link := "/first-run/" + m[2]
	b := e.browser()

	r := b.get(link)
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="password-rule">Password: at least 12 characters`) {
		t.Fatalf("first-run page: %d, want 200 with the password rule up front\n%s", r.status, r.body)
	}
	if r := b.get("/first-run/" + strings.Repeat("A", 43)); r.status != http.StatusGone || !strings.Contains(r.body, "has been used, has expired or is not right") {
		t.Fatalf("a wrong token: %d, want 410 in words\n%s", r.status, r.body)
	}

	bad := []struct {
		name, form, want string
	}{
		{"space_at_end", "núria ", "starts or ends with a space"},
		{"control", "nú\x07ria", "a control character"},
		{"too_long", strings.Repeat("é", 65), "65 characters (want at most 64)"},
		{"short_password", "núria", "password: at least 12 characters"},
		{"mismatch", "núria", "the two passwords differ"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			pw, again := password, password
			switch tt.name {
			case "short_password":
				pw, again = "short", "short"
			case "mismatch":
				again = password + "!"
			}
			r := b.post(link, url.Values{"name": {tt.form}, "password": {pw}, "again": {again}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tt.want) {
				t.Fatalf("%d, want 422 saying %q\n%s", r.status, tt.want, r.body)
			}
			if !strings.Contains(r.body, `name="name" id="name" autocomplete="username" maxlength="64" required value="`) {
				t.Fatalf("the form is not back")
			}
		})
	}
	if r := b.post(link, url.Values{"name": {"núria "}, "password": {password}, "again": {password}}); !strings.Contains(r.body, `value="núria "`) {
		t.Fatalf("the name typed was lost:\n%s", r.body)
	}

	r = b.post(link, url.Values{"name": {"Nu\u0301ria"}, "password": {password}, "again": {password}})
	sm := groupedSecretRE.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || sm == nil || !strings.Contains(r.body, "<svg") || strings.Contains(r.body, "otpauth://") {
		t.Fatalf("second-factor step: %d, want the secret in groups of four and a QR code, no otpauth URL\n%s", r.status, r.body)
	}
	secret := strings.ReplaceAll(sm[1], " ", "")
	if r := b.post(link+"/confirm", url.Values{"code": {"000000"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "code is not right") || !strings.Contains(r.body, sm[1]) {
		t.Fatalf("a wrong code: %d, want 422 with the same secret again\n%s", r.status, r.body)
	}
	if _, err := e.svc.Accounts.User(context.Background(), "núria"); err == nil {
		t.Fatal("the account exists before a right code")
	}
	r = b.post(link+"/confirm", url.Values{"code": {e.code(secret)}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("a right code: %d, want 303 to /\n%s", r.status, r.body)
	}
	if r := b.get("/admin"); r.status != http.StatusOK || !strings.Contains(r.body, "núria") {
		t.Fatalf("the new administrator is not logged in: %d", r.status)
	}
	u, err := e.svc.Accounts.User(context.Background(), "núria")
	if err != nil || u.Role != accounts.Admin {
		t.Fatalf("núria: %+v, %v; want an administrator", u, err)
	}
	ev := e.audited(audit.UserAdd)
	if len(ev) != 1 || ev[0].Actor != "núria" || ev[0].Target != "núria" || !ev[0].OK {
		t.Fatalf("audit: %+v, want one user_add by núria", ev)
	}
	for _, path := range []string{link, link + "/confirm"} {
		var r resp
		if strings.HasSuffix(path, "confirm") {
			r = e.browser().post(path, url.Values{"code": {e.code(secret)}})
		} else {
			r = e.browser().get(path)
		}
		if r.status != http.StatusGone || !strings.Contains(r.body, "has been used") {
			t.Fatalf("%s after use: %d, want 410 in words", path, r.status)
		}
	}
	e.clock.Add(time.Minute)
	if r := e.browser().login("núria", password, e.code(secret)); r.status != http.StatusSeeOther {
		t.Fatalf("núria's login: %d", r.status)
	}
}

// The command line's way still makes the first administrator; from then on the link
// opens nothing and a restarted editor logs none.
func TestFirstRunLinkEndsOnceAnAccountExists(t *testing.T) {
	e := newEnv(t)
	m := firstRunRE.FindStringSubmatch(e.serveLogged().String())
	if m == nil {
		t.Fatal("no first-run link in the log")
	}
	e.user("anna", accounts.Admin) // as editor user add does
	if r := e.browser().get("/first-run/" + m[2]); r.status != http.StatusGone {
		t.Fatalf("link with an account: %d, want 410", r.status)
	}
	if log := e.serveLogged().String(); strings.Contains(log, "first run") {
		t.Fatalf("an editor with accounts logged a first run:\n%s", log)
	}
}
