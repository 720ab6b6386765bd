package poster_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/shared/service"
)

var update = flag.Bool("update", false, "rewrite the README's settings table from Spec")

const readme = "../README.md"

// The README's settings section is the table itself, so the two never drift: run
// `go test ./services/telegram/poster -run README -update` after changing a setting.
func TestREADMEHoldsTheSettingsTable(t *testing.T) {
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- settings -->\n", "<!-- /settings -->"
	head, rest, ok := strings.Cut(string(data), begin)
	got, tail, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("%s lacks the markers %q and %q", readme, begin, end)
	}
	want := poster.Spec().Settings().Markdown()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(readme, []byte(head+begin+want+end+tail), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's settings table differs from Spec().Settings(); run with -update. Want:\n%s", readme, want)
}

func TestHelpListsEverySetting(t *testing.T) {
	var out strings.Builder
	if err := service.Help(&out, poster.Spec()); err != nil {
		t.Fatal(err)
	}
	help := out.String()
	vars := []string{"NATS_URL", "NATS_CREDS", "NATS_NKEY_SEED", "NATS_REPLICAS", "ADMIN_ADDR", "TELEGRAM_BOT_TOKEN_FILE"}
	for _, s := range poster.Spec().Settings() {
		vars = append(vars, s.Var)
	}
	for _, v := range vars {
		if !strings.Contains(help, v) {
			t.Errorf("--help does not list %s:\n%s", v, help)
		}
	}
	if !strings.Contains(help, "La Paeria") || !strings.Contains(help, "TELEGRAM_SANDBOX=1") {
		t.Errorf("--help does not say what the service does and when it uses the sandbox:\n%s", help)
	}
}
