package site_test

import (
	"testing"

	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/shared/service/servicetest"
)

// --help names every variable the service reads: its own and the process's.
func TestHelpListsEverySetting(t *testing.T) {
	servicetest.CheckHelp(t, site.Spec(), "web: ")
}

// The Spec's table is the one LoadConfig reads: every row parses its own default, and
// Spec's throw-away Config is not the one loaded.
func TestSpecSettingsAreTheLoadedOnes(t *testing.T) {
	var cfg site.Config
	rows := cfg.Settings()
	spec := site.Spec().Settings()
	if len(rows) != len(spec) {
		t.Fatalf("Spec lists %d settings, Config %d", len(spec), len(rows))
	}
	for i, s := range spec {
		if s.Var != rows[i].Var || s.Default != rows[i].Default || s.Meaning != rows[i].Meaning {
			t.Errorf("row %d: Spec %+v, Config %+v", i, s, rows[i])
		}
		if s.Parse == nil || s.Parse(s.Default) != nil {
			t.Errorf("%s: its default %q does not pass its own check", s.Var, s.Default)
		}
	}
}

// The README's settings table is exactly the one --help prints from.
func TestREADMESettingsTable(t *testing.T) {
	servicetest.CheckREADME(t, "../README.md", site.Spec(), false)
}
