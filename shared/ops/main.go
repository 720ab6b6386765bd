package ops

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// Runner is a service that works until ctx ends.
type Runner interface {
	Run(ctx context.Context) error
}

// Build makes a channel's service once the process is connected; observe is to be set
// as the service's delivery Observe so its metrics are served.
type Build func(js jetstream.JetStream, observe func(delivery.Outcome), log *slog.Logger) (Runner, error)

// Main is the whole of a channel's own process (not the hub): JSON logs on stderr;
// SIGINT or SIGTERM stop it gracefully; it connects with NATS_URL and NATS_NKEY_SEED or
// NATS_CREDS (a worker does not create the stream: its credentials allow only its own
// consumer and records); it serves /livez, /readyz and /metrics on ADMIN_ADDR when set;
// and it runs what build makes until the signal. It exits 1 on failure.
func Main(channel string, build Build) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := runMain(ctx, channel, build, log); err != nil {
		log.Error(channel+" stopped", "err", err)
		os.Exit(1)
	}
}

func runMain(ctx context.Context, channel string, build Build, log *slog.Logger) error {
	connCfg := bus.LoadConnConfig(os.Getenv, channel)
	connCfg.Logger = log
	conn, err := bus.Connect(ctx, connCfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	observe, err := StartAdmin(ctx, os.Getenv("ADMIN_ADDR"), conn, channel, log)
	if err != nil {
		return err
	}
	svc, err := build(conn.JS, observe, log)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
