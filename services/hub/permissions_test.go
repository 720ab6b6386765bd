package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/bus/bustest"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

// TestHubGivesEachServiceOnlyItsOwnPermissions: the hub's embedded server gives each
// service's key the very permission set the cluster gives it (bus.Grants), so the keys
// in <data>/credentials are refused, one by one, every bucket and subject not their own
// — the same table as deploy's cluster test — while the services, each signed in with
// its own key, run (the flow tests show them delivering).
func TestHubGivesEachServiceOnlyItsOwnPermissions(t *testing.T) {
	dir, addr := t.TempDir(), freePort(t)
	logs := &testenv.Logs{}
	startHub(t, dir, addr, logs)
	natstest.WaitFor(t, 60*time.Second, "hub ready", func() bool { return strings.Contains(logs.String(), "hub ready") })
	cfg := Config{DataDir: dir}
	for _, user := range hubUsers() {
		if st, err := os.Stat(cfg.SeedFile(user)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s's key: %v; want a file of mode 0600", user, err)
		}
	}
	dial := func(t *testing.T, user string) *bus.Conn {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := bus.Connect(ctx, bus.ConnConfig{URL: "nats://" + addr, Name: user, NkeySeedFile: cfg.SeedFile(user)})
		if err != nil {
			t.Fatalf("connect as %s: %v", user, err)
		}
		t.Cleanup(conn.NC.Close)
		return conn
	}

	// The public web service, through the real shared code: it reads the feed, and
	// cannot publish.
	web := dial(t, bus.UserWeb)
	pub, err := bus.NewBulletins(context.Background(), web.JS)
	if err != nil {
		t.Fatalf("web binds to the bulletins: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	b := &bulletin.Bulletin{ID: "fals", Title: "Fals", Lang: "ca", Group: "fals", Channels: []string{"web"}, Body: "Text."}
	if _, err := pub.Publish(ctx, b, "intrus"); err == nil {
		t.Error("web published a bulletin")
	}

	bustest.CheckRefusals(t, dial, bustest.Refusals())
}
