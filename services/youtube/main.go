// Command youtube runs pregoner's YouTube worker on its own: live announcements become
// scheduled broadcasts on the council's channel. Without YOUTUBE_* credentials it
// serves a local sandbox on YOUTUBE_SANDBOX_ADDR instead. See README.md.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/paeria/pregoner/services/youtube/youtube"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/ops"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(ctx, log); err != nil {
		log.Error("youtube stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	cfg, err := youtube.LoadConfig(os.Getenv)
	if err != nil {
		return err
	}
	connCfg := bus.LoadConnConfig(os.Getenv, "youtube")
	connCfg.Logger = log
	conn, err := bus.Connect(ctx, connCfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The stream and buckets are the editor's (or an operator's) to create: a worker's
	// credentials allow only its own consumer and records.
	if cfg.Observe, err = ops.StartAdmin(ctx, os.Getenv("ADMIN_ADDR"), conn, bulletin.YouTube, log); err != nil {
		return err
	}
	svc, err := youtube.NewService(cfg, conn.JS, log)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
