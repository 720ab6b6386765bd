package main

import (
	"testing"

	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/service/servicetest"
)

func TestMain(m *testing.M) { servicetest.RunMain(m, main) }

// TestStandaloneWithoutCredentialsRefusesToStart runs the service alone against a real bus
// with no credentials and no sandbox asked for: it must exit 1, naming what to set, rather
// than schedule in a sandbox nobody asked for.
func TestStandaloneWithoutCredentialsRefusesToStart(t *testing.T) {
	srv := natstest.Start(t)
	servicetest.CheckRefusesToStart(t, []string{"NATS_URL=" + srv.URL()}, "YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN", "_FILE", "YOUTUBE_SANDBOX=1")
}
