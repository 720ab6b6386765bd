// Command telegram runs the Telegram worker alone: bulletins from the bus to the
// channel, or to the local Bot API sandbox when TELEGRAM_BOT_TOKEN is not set.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/paeria/pregoner/services/telegram/telegram"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/ops"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, log); err != nil {
		log.Error("telegram stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	cfg, err := telegram.LoadConfig(os.Getenv)
	if err != nil {
		return err
	}
	connCfg := bus.LoadConnConfig(os.Getenv, "telegram")
	connCfg.Logger = log
	conn, err := bus.Connect(ctx, connCfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The stream and buckets are the editor's (or an operator's) to create: a worker's
	// credentials allow only its own consumer and records.
	if cfg.Observe, err = ops.StartAdmin(ctx, os.Getenv("ADMIN_ADDR"), conn, bulletin.Telegram, log); err != nil {
		return err
	}
	svc, err := telegram.NewService(cfg, conn.JS, log)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
