package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/shared/admin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/service"
)

// specs is the one place that lists the hub's services: the very Specs each service's
// own main runs. The hub adds what an operator does by hand on a cluster (the embedded
// server with a key per service, the set-up, the editor's secret-key file), one admin
// address and the sandbox defaults below, and nothing else.
func specs() []service.Spec {
	return []service.Spec{site.Spec(), poster.Spec(), live.Spec(), staff.Spec()}
}

// newServices binds every Spec to the hub's bus, each through a connection of its own
// signed in as its own user (the Spec's name), as each is on the cluster.
func newServices(ctx context.Context, cfg Config, connect func(context.Context, string) (*bus.Conn, error),
	log *slog.Logger, metrics *admin.DeliveryMetrics) ([]runner, error) {
	getenv := hubGetenv(cfg.Getenv, cfg.editorSecretKey(), log)
	var out []runner
	for _, s := range specs() {
		conn, err := connect(ctx, s.Name)
		if err != nil {
			return nil, err
		}
		env := service.Env{JS: conn.JS, Getenv: getenv, Log: log, Observe: metrics.Observe, Sandbox: metrics.SetSandbox}
		out = append(out, specService{spec: s, env: env})
	}
	return out, nil
}

// specService runs one Spec as a hub service.
type specService struct {
	spec service.Spec
	env  service.Env
}

func (s specService) Run(ctx context.Context) error {
	return s.spec.Run(ctx, s.env) // each service names itself in its log lines
}

// hubGetenv is the hub's view of the environment: on one machine with no accounts, a
// channel without credentials runs its local sandbox — asked for explicitly, as any
// deployment must (TELEGRAM_SANDBOX=1, YOUTUBE_SANDBOX=1), and said loudly once. The
// editor's link to the public page follows WEB_BASE_URL unless set on its own, and its
// TOTP sealing keys are the file the hub keeps in <data>/credentials.
func hubGetenv(getenv func(string) string, secretKey string, log *slog.Logger) func(string) string {
	set := func(k string) bool { return strings.TrimSpace(getenv(k)) != "" }
	sandbox := map[string]bool{
		"TELEGRAM_SANDBOX": !set("TELEGRAM_SANDBOX") && !set("TELEGRAM_BOT_TOKEN") && !set("TELEGRAM_BOT_TOKEN_FILE"),
		"YOUTUBE_SANDBOX": !set("YOUTUBE_SANDBOX") && !set("YOUTUBE_CLIENT_ID") && !set("YOUTUBE_CLIENT_SECRET") &&
			!set("YOUTUBE_CLIENT_SECRET_FILE") && !set("YOUTUBE_REFRESH_TOKEN") && !set("YOUTUBE_REFRESH_TOKEN_FILE"),
	}
	for k, on := range sandbox {
		if on {
			log.Warn("no credentials for "+strings.ToLower(strings.TrimSuffix(k, "_SANDBOX"))+
				": the hub runs its local sandbox; nothing reaches the real channel", "set", k+"=1")
		}
	}
	return func(k string) string {
		if sandbox[k] {
			return "1"
		}
		if k == "EDITOR_SECRET_KEY_FILE" && !set(k) {
			return secretKey
		}
		if k == "EDITOR_WEB_BASE_URL" && !set(k) {
			return getenv("WEB_BASE_URL")
		}
		return getenv(k)
	}
}
