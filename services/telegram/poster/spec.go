package poster

import (
	"context"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/service"
	"github.com/paeria/pregoner/shared/settings"
)

// doc is what --help says the service does.
const doc = `telegram carries every bulletin from the bus to the Telegram channel "La Paeria
explica" (and to a chat per language when configured): rendered to Telegram's HTML,
split into messages that fit, posted, edited and withdrawn through the Bot API, paced
under Telegram's limits, each outcome recorded.

Without a bot token it refuses to start, unless TELEGRAM_SANDBOX=1 asks for the local
Bot API sandbox: then nothing reaches Telegram, and every record says sandbox.`

// Spec is the one way to run this service: its own main hands it to service.Main, and
// the hub runs it on its embedded bus.
func Spec() service.Spec {
	return service.Spec{
		Name:     bulletin.Telegram,
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
			env.Sandbox(bulletin.Telegram, svc.Sandbox() != nil)
			return svc.Run(ctx)
		},
	}
}
