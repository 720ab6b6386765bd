// Command web runs the council's public COVID-19 page on its own: the web channel's
// delivery worker and the page's server, against the NATS server at NATS_URL. See
// README.md for its settings; ops.Main for what every channel's process does.
package main

import (
	"flag"
	"log/slog"
	"os"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/ops"
)

func main() {
	ops.Main(bulletin.Web, func(js jetstream.JetStream, observe func(delivery.Outcome), log *slog.Logger) (ops.Runner, error) {
		cfg, err := site.LoadConfig(os.Getenv)
		if err != nil {
			return nil, err
		}
		flag.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (overrides WEB_ADDR)")
		flag.Parse()
		cfg.Observe = observe
		return site.NewService(cfg, js, log)
	})
}
