package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serviceAddrs gives every service of the hub a free port, so tests never collide with
// each other or with a hub running on the defaults.
func serviceAddrs(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{
		"WEB_ADDR": freePort(t), "EDITOR_ADDR": freePort(t),
		"TELEGRAM_SANDBOX_ADDR": freePort(t), "YOUTUBE_SANDBOX_ADDR": freePort(t),
	}
	env["WEB_BASE_URL"] = "http://" + env["WEB_ADDR"]
	return env
}

// startHub runs the hub as main would, and returns a stop that sends it the equivalent
// of SIGTERM and waits for it to exit.
func startHub(t *testing.T, dataDir, listen string, logs io.Writer) (stop func() error) {
	t.Helper()
	env := serviceAddrs(t)
	cfg, err := loadConfig([]string{"-data", dataDir, "-nats-listen", listen, "-log-format", "json", "-admin", ""},
		func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, logs) }()
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// connect dials the hub as the editor CLI does, with the key the hub wrote in dataDir.
func connect(t *testing.T, addr, dataDir string) (*bus.Conn, *bus.Bulletins) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var conn *bus.Conn
	var err error
	for ctx.Err() == nil {
		seed := Config{DataDir: dataDir}.EditorSeed()
		cfg := bus.ConnConfig{URL: "nats://" + addr, Name: "editor-cli", NkeySeedFile: seed}
		if conn, err = bus.Connect(ctx, cfg); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("hub never accepted connections: %v", err)
	}
	t.Cleanup(func() { conn.NC.Close() })
	var pub *bus.Bulletins
	for ctx.Err() == nil {
		if pub, err = bus.NewBulletins(ctx, conn.JS); err == nil {
			return conn, pub
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("hub never created the streams: %v", err)
	return nil, nil
}

func TestHubKeepsBulletinsAcrossARestartAndStopsCleanly(t *testing.T) {
	dir, addr := t.TempDir(), freePort(t)
	logs := &testenv.Logs{}
	stop := startHub(t, dir, addr, logs)
	conn, pub := connect(t, addr, dir)
	natstest.WaitFor(t, 20*time.Second, "hub ready", func() bool { return strings.Contains(logs.String(), "hub ready") })
	b := &bulletin.Bulletin{ID: "reinici", Title: "Reinici", Lang: "ca", Group: "reinici", Channels: []string{"web"}, Body: "Text."}
	if _, err := pub.Publish(context.Background(), b, "test"); err != nil {
		t.Fatal(err)
	}
	conn.NC.Close()
	if err := stop(); err != nil {
		t.Fatalf("hub exited with %v on SIGTERM", err)
	}
	if !strings.Contains(logs.String(), "store closed cleanly") {
		t.Errorf("no clean shutdown in the logs:\n%s", logs)
	}

	startHub(t, dir, addr, io.Discard)
	_, pub = connect(t, addr, dir)
	rev, _, err := pub.Latest(context.Background(), "reinici")
	if err != nil || rev.Rev != 1 || rev.Bulletin.Body != "Text." {
		t.Fatalf("after restart: %v, %v", rev, err)
	}
}

func TestHubBusRefusesClientsWithoutItsKey(t *testing.T) {
	dir, addr := t.TempDir(), freePort(t)
	logs := &testenv.Logs{}
	startHub(t, dir, addr, logs)
	connect(t, addr, dir) // the key works
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c, err := bus.Connect(ctx, bus.ConnConfig{URL: "nats://" + addr}); err == nil {
		c.NC.Close()
		t.Fatal("connected to the hub's bus without a key")
	}
	st, err := os.Stat(Config{DataDir: dir}.EditorSeed())
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("editor key file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	seed, _ := os.ReadFile(Config{DataDir: dir}.EditorSeed())
	if strings.Contains(logs.String(), strings.TrimSpace(string(seed))) {
		t.Error("the key's seed is in the logs")
	}
}

func TestHubConfigErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-nats-listen", "4222"}, `-nats-listen "4222": address 4222: missing port in address`},
		{[]string{"-nats-listen", "127.0.0.1:99999"}, `port "99999" is not a number from 0 to 65535`},
		{[]string{"-log-format", "xml"}, `-log-format "xml": want text or json`},
		{[]string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			var stderr bytes.Buffer
			if _, err := loadConfig(tt.args, func(string) string { return "" }, &stderr); err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.want)
			}
		})
	}
}
