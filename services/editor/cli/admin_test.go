package cli_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/cli"
	"github.com/paeria/pregoner/shared/natstest"
)

// fastEnv is the editor's settings for tests: cheap hashes.
func fastEnv(extra map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := extra[k]; ok {
			return v
		}
		return map[string]string{"EDITOR_BCRYPT_COST": "4"}[k]
	}
}

func editorWith(t *testing.T, srv *natstest.Server, stdin string, getenv func(string) string, apiURL, token string, args ...string) run {
	t.Helper()
	var out, errOut bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errOut, NATSURL: srv.URL(), User: "ada", Stdin: strings.NewReader(stdin),
		Getenv: getenv, APIURL: apiURL, APIToken: token}
	err := cli.Run(context.Background(), env, args)
	return run{out.String(), errOut.String(), err}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve runs "editor serve" until the test ends and returns its base URL.
func serve(t *testing.T, srv *natstest.Server) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var errOut bytes.Buffer
	go func() {
		done <- cli.Run(ctx, cli.Env{Stdout: &bytes.Buffer{}, Stderr: &errOut, NATSURL: srv.URL(), Getenv: fastEnv(map[string]string{"EDITOR_ADDR": addr})}, []string{"serve"})
	}()
	base := "http://" + addr
	natstest.WaitFor(t, 10*time.Second, "the editor to listen", func() bool {
		res, err := http.Get(base + "/login")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after shutdown; want nil", err)
		}
	})
	return base
}

func TestUserAddPrintsTheQRCodeAndTokenCreatePrintsTheTokenOnce(t *testing.T) {
	srv, _, _ := setup(t)
	r := editorWith(t, srv, "a long first password\n", fastEnv(nil), "", "", "user", "add", "Anna", "--role", "publisher")
	if r.err != nil {
		t.Fatalf("user add: %v %s", r.err, r.errOut)
	}
	if !strings.Contains(r.out, "anna added as publisher") || !strings.Contains(r.out, "otpauth://totp/") || !strings.Contains(r.out, "█") {
		t.Errorf("user add output:\n%s", r.out)
	}
	u, _ := url.Parse(r.out[strings.Index(r.out, "otpauth://"):strings.LastIndex(r.out, "\n")])
	if u.Query().Get("secret") == "" || u.Query().Get("issuer") == "" {
		t.Errorf("provisioning URI: %s", u)
	}
	if r := editorWith(t, srv, "a long first password\n", fastEnv(nil), "", "", "user", "add", "anna"); r.err == nil || !strings.Contains(r.err.Error(), "already exists") {
		t.Errorf("second add: %v", r.err)
	}
	for _, tc := range []struct{ stdin, role, want string }{
		{"short\n", "writer", "at least 12 characters"},
		{"", "writer", "give the first password"},
		{"a long first password\n", "boss", `unknown role "boss"`},
	} {
		if r := editorWith(t, srv, tc.stdin, fastEnv(nil), "", "", "user", "add", "bea", "--role", tc.role); r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("user add with %q/%s: %v", tc.stdin, tc.role, r.err)
		}
	}
	if r := editorWith(t, srv, "", fastEnv(nil), "", "", "user", "list"); !strings.Contains(r.out, "anna  publisher") {
		t.Errorf("user list:\n%s", r.out)
	}
	r = editorWith(t, srv, "", fastEnv(nil), "", "", "token", "create", "importer")
	token := strings.TrimSpace(r.out)
	if r.err != nil || !strings.HasPrefix(token, "pgt_") || !strings.Contains(r.errOut, "shown only now") {
		t.Fatalf("token create: %v %q %q", r.err, r.out, r.errOut)
	}
	if r := editorWith(t, srv, "", fastEnv(nil), "", "", "token", "list"); !strings.Contains(r.out, "importer  publisher") || strings.Contains(r.out, token) {
		t.Errorf("token list:\n%s", r.out)
	}
	if r := editorWith(t, srv, "", fastEnv(nil), "", "", "token", "revoke", "importer"); r.err != nil {
		t.Errorf("revoke: %v", r.err)
	}
	if r := editorWith(t, srv, "", fastEnv(nil), "", "", "token", "revoke", "importer"); r.err == nil || !strings.Contains(r.err.Error(), "no such token") {
		t.Errorf("second revoke: %v", r.err)
	}
	// The account changes are in the audit log, by the person at the terminal.
	conn := srv.Connect("check")
	al, err := audit.New(context.Background(), conn.JS, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := al.Recent(context.Background(), 100)
	var got []string
	for _, e := range evs {
		got = append(got, e.Action+":"+e.Target+":"+e.Actor+":"+e.Via)
	}
	want := "token_revoke:importer:ada:cli"
	if len(got) < 5 || got[1] != want || !strings.Contains(strings.Join(got, " "), "user_add:anna:ada:cli") {
		t.Errorf("audit: %v", got)
	}
}

func TestCommandsGoThroughTheAPIWithAToken(t *testing.T) {
	srv, pub, _ := setup(t)
	base := serve(t, srv)
	r := editorWith(t, srv, "", fastEnv(nil), "", "", "token", "create", "importer")
	token := strings.TrimSpace(r.out)
	dir := t.TempDir()
	good := writeFile(t, dir, "avis.md", "---\ntitle: Avís\n---\nText.\n")
	bad := writeFile(t, dir, "mal.md", "---\ntitle: Mal\nchannels: [fax]\n---\nText.\n")
	later := writeFile(t, dir, "despres.md", "---\ntitle: Després\npublish_at: 2099-05-01T10:00:00+02:00\n---\nText.\n")

	r = editorWith(t, srv, "", fastEnv(nil), base, token, "publish", good, bad, later)
	if !errors.Is(r.err, cli.ErrFailed) || r.out != "avis@1\ndespres scheduled for 2099-05-01T10:00:00+02:00\n" {
		t.Errorf("publish --api: %v\n%s", r.err, r.out)
	}
	if want := bad + `:3: channels: unknown channel "fax"`; !strings.Contains(r.errOut, want) {
		t.Errorf("stderr %q lacks %q", r.errOut, want)
	}
	rev, _, err := pub.Latest(context.Background(), "avis")
	if err != nil || rev.Author != "token:importer" {
		t.Errorf("published by %v (%v); want the token's name", rev, err)
	}
	if r := editorWith(t, srv, "", fastEnv(nil), base, token, "status", "avis"); r.err != nil || !strings.Contains(r.out, "avis@1 — Avís") {
		t.Errorf("status --api: %v %s", r.err, r.out)
	}
	if r := editorWith(t, srv, "", fastEnv(nil), base, token, "status", "ningu"); r.err == nil || r.err.Error() != "status ningu: no such bulletin" {
		t.Errorf("status of unknown --api: %v", r.err)
	}
	if r := editorWith(t, srv, "", fastEnv(nil), base, token, "retry", "avis", "telegram"); r.err == nil || !strings.Contains(r.err.Error(), "nothing to retry") {
		t.Errorf("retry --api: %v", r.err)
	}
	if r := editorWith(t, srv, "", fastEnv(nil), base, token, "retract", "avis"); r.err != nil || r.out != "avis@2 retracted\n" {
		t.Errorf("retract --api: %v %q", r.err, r.out)
	}
	if r := editorWith(t, srv, "", fastEnv(nil), base, "pgt_wrong", "retract", "avis"); r.err == nil || !strings.Contains(r.err.Error(), "unknown or was revoked") {
		t.Errorf("bad token: %v", r.err)
	}
	if r := editorWith(t, srv, "", fastEnv(nil), base, "", "status", "avis"); !errors.Is(r.err, cli.ErrUsage) || !strings.Contains(r.errOut, "EDITOR_TOKEN") {
		t.Errorf("no token: %v %q", r.err, r.errOut)
	}
}
