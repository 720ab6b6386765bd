package cli_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/cli"
	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

const password = "a long first password"

type run struct {
	out, errOut string
	err         error
}

// world is a bus with "editor serve" running on it, and a terminal's environment for
// the command line: settings, and a token file of its own.
type world struct {
	t         *testing.T
	srv       *natstest.Server
	base      string
	vars      map[string]string
	tokenFile string
	pub       *bus.Bulletins
	store     *delivery.Store
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// newWorld starts a bus and "editor serve" on it, until the test ends.
func newWorld(t *testing.T) *world {
	t.Helper()
	srv := natstest.Start(t)
	addr := freeAddr(t)
	w := &world{t: t, srv: srv, base: "http://" + addr, tokenFile: filepath.Join(t.TempDir(), "pregoner", "editor-token"),
		vars: map[string]string{"NATS_URL": srv.URL(), "EDITOR_ADDR": addr, "EDITOR_URL": "http://" + addr,
			"EDITOR_BCRYPT_COST": "4", "EDITOR_FAIL_DELAY": "1ms", "EDITOR_SECRET_KEY_FILE": filepath.Join(t.TempDir(), "editor-totp.key")}}
	if err := accounts.EnsureKeyFile(w.vars["EDITOR_SECRET_KEY_FILE"]); err != nil {
		t.Fatal(err)
	}
	conn := srv.Connect("test")
	var err error
	if w.pub, err = bus.NewBulletins(context.Background(), conn.JS); err != nil {
		t.Fatal(err)
	}
	if w.store, err = delivery.NewStore(context.Background(), conn.JS); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- cli.Run(ctx, cli.Env{Stdout: &bytes.Buffer{}, Stderr: &logs, Getenv: w.getenv}, []string{"serve"})
	}()
	natstest.WaitFor(t, 20*time.Second, "the editor to listen", func() bool {
		res, err := http.Get(w.base + "/login")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after shutdown; want nil\n%s", err, logs.String())
		}
	})
	return w
}

func (w *world) getenv(k string) string { return w.vars[k] }

// editor runs one command line as a member at a terminal would; stdin answers prompts.
func (w *world) editor(stdin string, args ...string) run {
	w.t.Helper()
	var out, errOut bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader(stdin), Getenv: w.getenv,
		TokenFile: w.tokenFile, OSUser: "ada"}
	err := cli.Run(context.Background(), env, args)
	return run{out.String(), errOut.String(), err}
}

// account adds an account as an administrator would in the web UI (the command line
// creates only the first administrator) and returns its TOTP provisioning URI.
func (w *world) account(name string, role accounts.Role) string {
	w.t.Helper()
	cfg, err := staff.LoadConfig(w.getenv)
	if err != nil {
		w.t.Fatal(err)
	}
	acc, _, err := staff.OpenAccounts(context.Background(), cfg, w.srv.Connect("test").JS)
	if err != nil {
		w.t.Fatal(err)
	}
	na, err := acc.AddUser(context.Background(), name, role, password, "test")
	if err != nil {
		w.t.Fatalf("add %s: %v", name, err)
	}
	return na.URI
}

// member adds an account (account) and logs in as it with "editor login".
func (w *world) member(name string, role accounts.Role) {
	w.t.Helper()
	u, err := url.Parse(w.account(name, role))
	if err != nil {
		w.t.Fatal(err)
	}
	w.login(name, u.Query().Get("secret"))
}

// login logs in as name with "editor login", with the code of TOTP secret.
func (w *world) login(name, secret string) {
	w.t.Helper()
	code, err := accounts.Code(secret, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	if r := w.editor(password+"\n"+code+"\n", "login", name); r.err != nil {
		w.t.Fatalf("login: %v %s", r.err, r.errOut)
	}
}

// auditEvents is the audit log, newest first.
func (w *world) auditEvents() []audit.Event {
	w.t.Helper()
	al, err := audit.New(context.Background(), w.srv.Connect("check").JS, 1, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	evs, err := al.Recent(context.Background(), 100)
	if err != nil {
		w.t.Fatal(err)
	}
	return evs
}

// audited is the audit log, newest first, as "action:target:actor:via".
func (w *world) audited() []string {
	w.t.Helper()
	al, err := audit.New(context.Background(), w.srv.Connect("check").JS, 1, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	evs, err := al.Recent(context.Background(), 100)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action+":"+e.Target+":"+e.Actor+":"+e.Via)
	}
	return out
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
