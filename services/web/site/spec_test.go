package site_test

import (
	"os"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/shared/service"
)

// --help names every variable the service reads: its own and the process's.
func TestHelpListsEverySetting(t *testing.T) {
	var b strings.Builder
	if err := service.Help(&b, site.Spec()); err != nil {
		t.Fatal(err)
	}
	help := b.String()
	for _, v := range []string{"WEB_ADDR", "WEB_BASE_URL", "WEB_PAGE_SIZE", "WEB_FEED_SIZE", "WEB_SSE_HEARTBEAT",
		"WEB_TIME_ZONE", "WEB_WORKERS", "NATS_URL", "NATS_CREDS", "NATS_NKEY_SEED", "NATS_REPLICAS", "ADMIN_ADDR"} {
		if !strings.Contains(help, v) {
			t.Errorf("--help does not list %s:\n%s", v, help)
		}
	}
	for _, s := range site.Spec().Settings() {
		if !strings.Contains(help, s.Var) {
			t.Errorf("--help does not list %s", s.Var)
		}
	}
	if strings.Contains(help, "TODO") || !strings.HasPrefix(help, "web: ") {
		t.Errorf("--help lacks the service's description:\n%s", help)
	}
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
	const open, end = "<!-- settings -->\n", "<!-- /settings -->"
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	_, rest, ok := strings.Cut(readme, open)
	got, _, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("README.md has no %q … %q section", strings.TrimSpace(open), end)
	}
	if want := site.Spec().Settings().Markdown(); got != want {
		t.Errorf("README.md's settings table differs from Spec().Settings().Markdown(); put this between the markers:\n%s", want)
	}
}
