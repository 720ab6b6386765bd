// Command setup creates the bus's layout — every stream and bucket of pregoner
// (bus.Layout) — with the admin key, once, before the services start. No service's key
// may create, change, purge or delete a stream (bus.Grants): the services only bind to
// what this made, and stop with an error naming this command when something is missing.
// It is idempotent: run it again after an upgrade that changes the layout.
//
//	NATS_URL=nats://n1:4222,nats://n2:4222,nats://n3:4222 NATS_NKEY_SEED=deploy/nats/secrets/admin.nk \
//	  NATS_REPLICAS=3 go run ./deploy/cmd/setup
//
// It reads the bus settings every service reads (NATS_URL, NATS_NKEY_SEED or NATS_CREDS,
// the TLS files, NATS_REPLICAS), and keeps trying while the cluster starts and elects
// its leaders, up to -timeout. The hub runs the same set-up itself at start.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/paeria/pregoner/shared/bus"
)

func main() {
	timeout := flag.Duration("timeout", 2*time.Minute, "how long to keep trying while the cluster starts")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: setup [-timeout 2m]\n\n"+
			"Creates or updates every stream and bucket of pregoner with the admin key (NATS_NKEY_SEED).\n\n")
		flag.PrintDefaults()
		var conn bus.ConnConfig
		var topo bus.Topology
		_ = bus.Settings(&conn, &topo).Help(flag.CommandLine.Output())
	}
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	}
}

// run connects as admin with the settings from getenv and sets the layout up, trying
// again until timeout while the bus is not ready; it lists what it set up on out.
func run(ctx context.Context, getenv func(string) string, out io.Writer, timeout time.Duration) error {
	var conn bus.ConnConfig
	var topo bus.Topology
	if err := bus.Settings(&conn, &topo).Load(getenv); err != nil {
		return err
	}
	conn.Name, conn.User = "setup", bus.UserAdmin
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var err error
	for attempt := 1; ; attempt++ {
		if err = setup(ctx, conn, topo); err == nil {
			break
		}
		if errors.Is(err, errRefused) || ctx.Err() != nil {
			return fmt.Errorf("after %d attempts: %w", attempt, err)
		}
		fmt.Fprintf(os.Stderr, "setup: attempt %d: %v; trying again\n", attempt, err)
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
			return fmt.Errorf("after %d attempts: %w", attempt, errors.Join(err, ctx.Err()))
		}
	}
	for _, p := range bus.Layout(topo) {
		kind := "stream"
		if p.Bucket != nil {
			kind = "bucket"
		}
		fmt.Fprintf(out, "%-6s %-15s replicas %d\n", kind, p.Name(), max(topo.Replicas, 1))
	}
	return nil
}

// setup is one attempt: connect, set up, close.
func setup(ctx context.Context, cfg bus.ConnConfig, topo bus.Topology) error {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := bus.Connect(cctx, cfg)
	if errors.Is(err, nats.ErrAuthorization) {
		return fmt.Errorf("%w: %w", errRefused, err)
	}
	if err != nil {
		return err
	}
	defer c.Close()
	err = bus.Setup(cctx, c.JS, topo)
	if err != nil && errors.Is(c.NC.LastError(), nats.ErrPermissionViolation) {
		return fmt.Errorf("%w (%w): run it with the admin key", errRefused, c.NC.LastError())
	}
	return err
}

// errRefused is the bus refusing the key: trying again would not help.
var errRefused = errors.New("the bus refused this key the set-up")
