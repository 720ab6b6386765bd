// Package service is how a pregoner service runs, alone or in the hub. Each service
// exposes a Spec — its name, its own settings and one Run — used by its own main
// through Main, which adds the process around it (--help, logs, signals, the bus
// connection, the admin address), and by the hub, which calls Run on its embedded bus.
// The two ways differ in nothing else.
package service

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/settings"
)

// Env is what a service is given to run.
type Env struct {
	JS jetstream.JetStream
	// Getenv reads the service's settings (os.Getenv, or the hub's view of it).
	Getenv func(string) string
	Log    *slog.Logger
	// Observe is told every delivery outcome, for the admin address's metrics.
	Observe func(delivery.Outcome)
	// Sandbox reports whether a channel delivers to its local sandbox rather than the
	// real service, for the metrics and the operator's eye.
	Sandbox func(channel string, on bool)
}

// Spec describes one service.
type Spec struct {
	// Name is the service's name: its bus user, its log field, its metrics label.
	Name string
	// Doc says in a few lines what it does, for --help.
	Doc string
	// Settings documents what Run reads through Env.Getenv (bound to a throw-away
	// config: for --help and the README, not for loading).
	Settings func() settings.Table
	// Check, when set, validates the service's own settings before the process
	// connects to the bus (Run loads them again).
	Check func(getenv func(string) string) error
	// Run runs the service until ctx ends, then stops gracefully and returns nil.
	Run func(ctx context.Context, env Env) error
}

// WithDefaults fills in what a test or the hub left out.
func (e Env) WithDefaults() Env {
	if e.Log == nil {
		e.Log = slog.New(slog.DiscardHandler)
	}
	if e.Observe == nil {
		e.Observe = func(delivery.Outcome) {}
	}
	if e.Sandbox == nil {
		e.Sandbox = func(string, bool) {}
	}
	return e
}
