package cli

import (
	"context"
	"flag"
	"log/slog"

	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
)

func (c *client) getenv(name string) string {
	if c.env.Getenv == nil {
		return ""
	}
	return c.env.Getenv(name)
}

// serveCmd runs the editor service alone against the bus (the hub runs it too).
func serveCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(fs, args, 0); err != nil {
		return err
	}
	cfg, err := staff.LoadConfig(c.getenv)
	if err != nil {
		return err
	}
	if err := c.connect(ctx); err != nil {
		return err
	}
	if err := bus.Setup(ctx, c.conn.JS, bus.Topology{Replicas: cfg.Replicas}); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(c.env.Stderr, nil))
	svc, err := staff.NewService(cfg, c.conn.JS, log)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
