package site

import (
	"context"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/service"
	"github.com/paeria/pregoner/shared/settings"
)

// doc is what --help says the service is.
const doc = `web: the Paeria's public COVID-19 page, and the web delivery channel.

It rebuilds the page from the BULLETINS stream at every start, then follows it: every
bulletin in Catalan and Spanish, permalinks (410 once retracted), Atom and JSON feeds,
and live updates over Server-Sent Events. Its delivery worker records each revision as
delivered once the page serves it, with the permalink <WEB_BASE_URL>/bulletins/<id>.
A live announcement links its YouTube broadcast once the youtube record shows one, never
a sandbox's.`

// Spec is the one way to run this service: its own main hands it to service.Main, and
// the hub runs it on its embedded bus.
func Spec() service.Spec {
	return service.Spec{
		Name:  bulletin.Web,
		Doc:   doc,
		Check: func(getenv func(string) string) error { _, err := LoadConfig(getenv); return err },
		Settings: func() settings.Table {
			var c Config
			return c.Settings()
		},
		Run: func(ctx context.Context, env service.Env) error {
			env = env.WithDefaults()
			cfg, err := LoadConfig(env.Getenv)
			if err != nil {
				return err
			}
			cfg.Observe = env.Observe
			// Before the stream cap is derived from it (NewServer): every stream holds a file.
			if before, after, err := RaiseFileLimit(); err != nil {
				env.Log.Warn("open-file limit not raised", "err", err)
			} else {
				env.Log.Info("open-file limit", "soft_before", before, "soft", after)
			}
			// The page is the channel itself: there is no sandbox to deliver to.
			env.Sandbox(bulletin.Web, false)
			svc, err := NewService(cfg, env.JS, env.Log)
			if err != nil {
				return err
			}
			return svc.Run(ctx)
		},
	}
}
