package poster_test

import (
	"flag"
	"testing"

	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/shared/service/servicetest"
)

var update = flag.Bool("update", false, "rewrite the README's settings table from Spec")

// The README's settings section is the table itself, so the two never drift: run
// `go test ./services/telegram/poster -run README -update` after changing a setting.
func TestREADMEHoldsTheSettingsTable(t *testing.T) {
	servicetest.CheckREADME(t, "../README.md", poster.Spec(), *update)
}

func TestHelpListsEverySetting(t *testing.T) {
	servicetest.CheckHelp(t, poster.Spec(), "La Paeria", "TELEGRAM_SANDBOX=1")
}
