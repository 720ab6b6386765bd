package poster

import (
	"context"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/service"
	"github.com/paeria/pregoner/shared/settings"
)

// Spec is the one way to run this service: its own main hands it to service.Main, and
// the hub runs it on its embedded bus.
func Spec() service.Spec {
	return service.Spec{
		Name:     bulletin.Telegram,
		Doc:      "TODO",
		Settings: func() settings.Table { return nil },
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
			return svc.Run(ctx)
		},
	}
}
