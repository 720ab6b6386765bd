// Command telegram runs the Telegram worker alone: bulletins from the bus to the
// channel, or to the local Bot API sandbox when TELEGRAM_BOT_TOKEN is not set.
// ops.Main says what every channel's own process does.
package main

import (
	"log/slog"
	"os"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/ops"
)

func main() {
	ops.Main(bulletin.Telegram, func(js jetstream.JetStream, observe func(delivery.Outcome), log *slog.Logger) (ops.Runner, error) {
		cfg, err := poster.LoadConfig(os.Getenv)
		if err != nil {
			return nil, err
		}
		cfg.Observe = observe
		return poster.NewService(cfg, js, log)
	})
}
