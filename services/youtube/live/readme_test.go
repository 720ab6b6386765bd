package live_test

import (
	"flag"
	"testing"

	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/shared/service/servicetest"
)

var update = flag.Bool("update", false, "rewrite the README's settings table from Spec")

// The README's settings section is the table itself, so the two never drift: run
// `go test ./services/youtube/live -run README -update` after changing a setting.
func TestREADMEHoldsTheSettingsTable(t *testing.T) {
	servicetest.CheckREADME(t, "../README.md", live.Spec(), *update)
}

func TestHelpListsEverySetting(t *testing.T) {
	servicetest.CheckHelp(t, live.Spec(), "live broadcast", "YOUTUBE_SANDBOX=1")
}
