package staff

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/schedule"
	"github.com/paeria/pregoner/shared/service"
	"github.com/paeria/pregoner/shared/settings"
)

// Name is the service's name: its bus user, its log field, its metrics label.
const Name = "editor"

// Spec is the one way to run the editor service: "editor serve" runs it as
// service.Main runs every service, and the hub runs the same Run on its embedded bus.
// Run serves the UI and the API and runs the schedule runner, so scheduled bulletins
// go out wherever the editor runs.
func Spec() service.Spec {
	return service.Spec{
		Name: Name,
		Doc: `The editor: the staff's web UI and JSON API (behind password and TOTP), and the
schedule runner that publishes scheduled bulletins when due. Run one or more; each
due bulletin goes out once.`,
		Check:    func(getenv func(string) string) error { _, err := LoadConfig(getenv); return err },
		Settings: func() settings.Table { var c Config; return c.Settings() },
		Run:      run,
	}
}

func run(ctx context.Context, env service.Env) error {
	env = env.WithDefaults()
	cfg, err := LoadConfig(env.Getenv)
	if err != nil {
		return fmt.Errorf("editor settings: %w", err)
	}
	svc, err := start(ctx, cfg, env)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}

// start checks the bus's layout and builds the service. The layout is the admin's: the
// hub sets it up at start, a cluster's set-up step (go run ./deploy/cmd/setup) with the
// admin key; the editor's key may not create, change or delete a stream. So the editor
// only binds, and a missing stream or bucket stops it with an error naming the command
// to run. A time-out while a cluster settles its leaders is tried again, after a random
// pause, a few times.
func start(ctx context.Context, cfg Config, env service.Env) (*Service, error) {
	var err error
	for attempt := range setupAttempts {
		if attempt > 0 {
			env.Log.Warn("editor start timed out on the bus; trying again", "attempt", attempt+1, "err", err)
			t := time.NewTimer(time.Duration(500+rand.IntN(1500)) * time.Millisecond)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			}
		}
		if err = checkLayout(ctx, env.JS); err != nil {
			err = fmt.Errorf("editor: %w", err)
			if !errors.Is(err, context.DeadlineExceeded) {
				return nil, err
			}
			continue
		}
		var svc *Service
		if svc, err = NewService(cfg, env.JS, env.Log); err == nil || !errors.Is(err, context.DeadlineExceeded) {
			return svc, err
		}
	}
	return nil, err
}

// checkLayout checks that every stream and bucket the editor works with exists.
func checkLayout(ctx context.Context, js jetstream.JetStream) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return bus.CheckLayout(ctx, js, bus.UserEditor)
}

const setupAttempts = 5

// scheduledPublished records a scheduled publish in the audit log, in the name of the
// member who scheduled it (checked by the desk then).
func scheduledPublished(al *audit.Log, log *slog.Logger) func(context.Context, schedule.Entry, bus.Published) {
	return func(ctx context.Context, e schedule.Entry, p bus.Published) {
		action, detail := audit.Publish, "scheduled for "+e.At.Format(time.RFC3339)+": "+e.Bulletin.Title
		if p.Revision.Action == bulletin.Edit {
			action = audit.Edit
		}
		if !p.Changed {
			detail = "scheduled for " + e.At.Format(time.RFC3339) + ": unchanged, nothing published"
		}
		err := al.Record(ctx, audit.Event{Actor: e.Author, Via: "schedule", Action: action, Target: p.Revision.Key(), OK: true, Detail: detail})
		if err != nil {
			log.Error("audit log write failed", "action", action, "target", p.Revision.Key(), "err", err)
		}
	}
}
