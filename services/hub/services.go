package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/shared/admin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/schedule"
)

// newServices is the one place that lists the hub's services. Each reads its own
// settings from the environment (tokens, URLs); without Telegram or YouTube credentials
// those workers deliver to their local sandboxes.
func newServices(ctx context.Context, cfg Config, js jetstream.JetStream, log *slog.Logger, metrics *admin.DeliveryMetrics) ([]service, error) {
	pub, err := bus.NewBulletins(ctx, js)
	if err != nil {
		return nil, err
	}
	schedules, err := schedule.NewStore(ctx, js)
	if err != nil {
		return nil, err
	}
	services := []service{schedule.NewRunner(schedules, pub, log, nil)}

	webCfg, err := site.LoadConfig(cfg.Getenv)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	webCfg.Observe = metrics.Observe
	webSvc, err := site.NewService(webCfg, js, log)
	if err != nil {
		return nil, err
	}
	tgCfg, err := poster.LoadConfig(cfg.Getenv)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	tgCfg.Observe = metrics.Observe
	tgSvc, err := poster.NewService(tgCfg, js, log)
	if err != nil {
		return nil, err
	}
	ytCfg, err := live.LoadConfig(cfg.Getenv)
	if err != nil {
		return nil, fmt.Errorf("youtube: %w", err)
	}
	ytCfg.Observe = metrics.Observe
	ytSvc, err := live.NewService(ytCfg, js, log)
	if err != nil {
		return nil, err
	}
	edCfg, err := staff.LoadConfig(cfg.Getenv)
	if err != nil {
		return nil, fmt.Errorf("editor: %w", err)
	}
	edSvc, err := staff.NewService(edCfg, js, log)
	if err != nil {
		return nil, err
	}
	return append(services, webSvc, tgSvc, ytSvc, edSvc), nil
}
