package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nkeys"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

// The admin address and the bus attacked from outside, and a second hub started on a
// running one's directory or port.

func TestAttackAdminAddressAndBus(t *testing.T) {
	cfg, err := loadConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for what, addr := range map[string]string{"admin": cfg.AdminAddr, "nats": cfg.NATSListen} {
		host, _, _ := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			t.Errorf("the %s address by default is %q; want loopback only", what, addr)
		}
	}

	tg := startTarget(t)
	c := client("127.0.0.1")
	_, metrics := do(t, c, request(t, "GET", tg.admin+"/metrics", ""))
	secrets, _ := os.ReadDir(tg.dir + "/credentials")
	for _, f := range secrets {
		b, _ := os.ReadFile(tg.dir + "/credentials/" + f.Name())
		if s := strings.TrimSpace(string(b)); len(s) > 16 && strings.Contains(metrics, s[:16]) {
			t.Errorf("/metrics shows the secret of %s", f.Name())
		}
	}
	if token := firstRunToken(t, tg); strings.Contains(metrics, "first-run") || strings.Contains(metrics, token) {
		t.Error("/metrics shows the first-run link")
	}
	if resp, _ := do(t, c, request(t, "GET", tg.admin+"/metrics", "", "X-Big", strings.Repeat("a", 70<<10))); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("admin: 70 KiB of headers: %d; want 431", resp.StatusCode)
	}
	for _, path := range []string{"/debug/pprof/", "/debug/vars", "/"} {
		if resp, _ := do(t, c, request(t, "GET", tg.admin+path, "")); resp.StatusCode != http.StatusNotFound {
			t.Errorf("admin GET %s: %d; want 404", path, resp.StatusCode)
		}
	}

	// The bus: a stranger's own key, and no key at all, are turned away.
	kp, _ := nkeys.CreateUser()
	seed, _ := kp.Seed()
	stranger := t.TempDir() + "/stranger.nk"
	if err := os.WriteFile(stranger, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for what, seedFile := range map[string]string{"no key": "", "a key of its own": stranger} {
		if conn, err := bus.Connect(ctx, bus.ConnConfig{URL: "nats://" + tg.nats, NkeySeedFile: seedFile}); err == nil {
			conn.NC.Close()
			t.Errorf("the bus let in a client with %s", what)
		}
	}
}

// A second hub on a running hub's data directory (another NATS port) would run a
// second server on the same store files, and every delivery twice; on its NATS port, it
// waited half a minute. Both are refused at once, naming the flag.
func TestAttackSecondHubIsRefused(t *testing.T) {
	dir, addr := t.TempDir(), freePort(t)
	logs := &testenv.Logs{}
	startHub(t, dir, addr, logs)
	natstest.WaitFor(t, 60*time.Second, "hub ready", func() bool { return strings.Contains(logs.String(), "hub ready") })
	for _, tt := range []struct{ what, dir, nats, want string }{
		{"the same -data", dir, freePort(t), "another hub is running on this directory"},
		{"the same -nats-listen", t.TempDir(), addr, "-nats-listen " + addr},
	} {
		env := serviceAddrs(t)
		cfg, err := loadConfig([]string{"-data", tt.dir, "-nats-listen", tt.nats, "-admin", ""}, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		err = run(ctx, cfg, io.Discard)
		cancel()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("a second hub on %s: %v; want an error saying %q", tt.what, err, tt.want)
		}
	}
}
