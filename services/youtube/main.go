// Command youtube runs pregoner's YouTube worker on its own: live announcements become
// scheduled broadcasts on the council's channel. Without YOUTUBE_* credentials it
// serves a local sandbox on YOUTUBE_SANDBOX_ADDR instead. See README.md.
// ops.Main says what every channel's own process does.
package main

import (
	"log/slog"
	"os"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/ops"
)

func main() {
	ops.Main(bulletin.YouTube, func(js jetstream.JetStream, observe func(delivery.Outcome), log *slog.Logger) (ops.Runner, error) {
		cfg, err := live.LoadConfig(os.Getenv)
		if err != nil {
			return nil, err
		}
		cfg.Observe = observe
		return live.NewService(cfg, js, log)
	})
}
