package live

import (
	"context"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/service"
	"github.com/paeria/pregoner/shared/settings"
)

// doc is what --help says the service does.
const doc = `youtube turns every bulletin with a live block into a scheduled live broadcast on
the council's YouTube channel through the YouTube Data API v3 — updated on an edit,
deleted on a retraction — counting the project's daily quota on the bus and recording
each outcome.

Without credentials it refuses to start, unless YOUTUBE_SANDBOX=1 asks for the local
YouTube sandbox: then nothing reaches YouTube, and every record says sandbox.`

// Spec is the one way to run this service: its own main hands it to service.Main, and
// the hub runs it on its embedded bus.
func Spec() service.Spec {
	return service.Spec{
		Name:     bulletin.YouTube,
		Doc:      doc,
		Check:    func(getenv func(string) string) error { _, err := LoadConfig(getenv); return err },
		Settings: func() settings.Table { return new(Config).Settings() },
		Run: func(ctx context.Context, env service.Env) error {
			env = env.WithDefaults()
			cfg, err := LoadConfig(env.Getenv)
			if err != nil {
				return err
			}
			cfg.Observe = env.Observe
			svc, err := NewService(cfg, env.JS, env.Log)
			if err != nil {
				return err
			}
			env.Sandbox(bulletin.YouTube, svc.Sandbox() != nil)
			return svc.Run(ctx)
		},
	}
}
