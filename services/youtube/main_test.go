package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/natstest"
)

// runMain makes the test binary run main instead of the tests, so a test can start the
// service as a separate process, exactly as it runs standalone.
const runMain = "PREGONER_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMain) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestStandaloneWithoutCredentialsRefusesToStart runs the service alone against a real bus
// with no credentials and no sandbox asked for: it must exit 1, naming what to set, rather
// than schedule in a sandbox nobody asked for.
func TestStandaloneWithoutCredentialsRefusesToStart(t *testing.T) {
	srv := natstest.Start(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{runMain + "=1", "NATS_URL=" + srv.URL()}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v; want status 1. Output:\n%s", err, out)
	}
	for _, want := range []string{"YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN", "_FILE", "YOUTUBE_SANDBOX=1"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the refusal does not name %s:\n%s", want, out)
		}
	}
}
