package staff_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/service"
)

// TestEditorOnlyBindsToTheLayout: the set-up is the admin's. On a bus nobody set up the
// editor creates nothing and refuses to start, naming the command to run; once the
// layout is there (bus.Setup, as the hub and deploy/cmd/setup run it) it starts, and
// leaves the streams as the set-up made them.
func TestEditorOnlyBindsToTheLayout(t *testing.T) {
	srv := natstest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := bus.Connect(ctx, bus.ConnConfig{URL: srv.URL(), Name: "editor-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	keyFile := testKeyFile(t)
	vars := map[string]string{"EDITOR_ADDR": "127.0.0.1:0", "EDITOR_SECRET_KEY_FILE": keyFile}
	env := service.Env{JS: conn.JS, Getenv: func(k string) string { return vars[k] }}

	err = staff.Spec().Run(ctx, env)
	if !errors.Is(err, bus.ErrNotSetUp) || !strings.Contains(err.Error(), "deploy/cmd/setup") {
		t.Fatalf("editor on a bus not set up: %v; want an error naming the set-up command", err)
	}
	names := conn.JS.StreamNames(ctx)
	for name := range names.Name() {
		t.Errorf("the editor created stream %s", name)
	}

	// The layout, as the admin's set-up makes it; the editor then starts and binds.
	if err := bus.Setup(ctx, conn.JS, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	audit, err := conn.JS.Stream(ctx, bus.StreamAudit)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.JS.DeleteKeyValue(ctx, bus.BucketDrafts); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	if _, err := staff.NewService(cfg, conn.JS, nil); !errors.Is(err, bus.ErrNotSetUp) || !strings.Contains(err.Error(), bus.BucketDrafts) {
		t.Fatalf("editor without the drafts bucket: %v; want it named as not set up", err)
	}
	if err := bus.Setup(ctx, conn.JS, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.NewService(cfg, conn.JS, nil); err != nil {
		t.Fatalf("editor on the set-up bus: %v", err)
	}
	info, err := audit.Info(ctx)
	if err != nil || info.Config.MaxAge != bus.AuditMaxAge {
		t.Errorf("audit stream after the editor's start: %+v, %v; want the set-up's", info, err)
	}
}
