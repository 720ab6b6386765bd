// Command web runs the council's public COVID-19 page on its own: the web channel's
// delivery worker and the page's server, against the NATS server at NATS_URL.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/paeria/pregoner/services/web/web"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/ops"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, log); err != nil {
		log.Error("web stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	cfg, err := web.LoadConfig(os.Getenv)
	if err != nil {
		return err
	}
	flag.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (overrides WEB_ADDR)")
	flag.Parse()
	connCfg := bus.LoadConnConfig(os.Getenv, "web")
	connCfg.Logger = log
	conn, err := bus.Connect(ctx, connCfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The stream and buckets are the editor's (or an operator's) to create: a worker's
	// credentials allow only its own consumer and records.
	if cfg.Observe, err = ops.StartAdmin(ctx, os.Getenv("ADMIN_ADDR"), conn, bulletin.Web, log); err != nil {
		return err
	}
	svc, err := web.NewService(cfg, conn.JS, log)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
