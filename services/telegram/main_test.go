package main

import (
	"testing"

	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/service/servicetest"
)

func TestMain(m *testing.M) { servicetest.RunMain(m, main) }

// TestStandaloneWithoutATokenRefusesToStart runs the service alone against a real bus
// with no token and no sandbox asked for: it must exit 1, naming what to set, rather
// than post to a sandbox nobody asked for.
func TestStandaloneWithoutATokenRefusesToStart(t *testing.T) {
	srv := natstest.Start(t)
	servicetest.CheckRefusesToStart(t, []string{"NATS_URL=" + srv.URL()}, "TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN_FILE", "TELEGRAM_SANDBOX=1")
}
