package settings_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/settings"
)

type config struct {
	Chat    string
	Token   string
	Timeout time.Duration
	Workers int
	Sandbox bool
	Zone    *time.Location
	Public  string
}

func (c *config) settings() settings.Table {
	return settings.Table{
		{Var: "T_CHAT", Default: "@canal", Meaning: "the chat", Parse: settings.Match(&c.Chat, regexp.MustCompile(`^@\w+$`), "@name")},
		{Var: "T_TOKEN", Meaning: "the bot token", Secret: true, File: true, Parse: settings.Match(&c.Token, regexp.MustCompile(`^\d+:\w+$`), "digits:letters")},
		{Var: "T_TIMEOUT", Default: "30s", Meaning: "one call's limit", Parse: settings.Duration(&c.Timeout, time.Second, time.Hour)},
		{Var: "T_WORKERS", Default: "1", Meaning: "workers", Parse: settings.Int(&c.Workers, 1, 8)},
		{Var: "T_SANDBOX", Meaning: "use the sandbox", Parse: settings.Bool(&c.Sandbox)},
		{Var: "T_TIME_ZONE", Default: "Europe/Madrid", Meaning: "the zone", Parse: settings.Location(&c.Zone)},
		{Var: "T_PUBLIC_URL", Required: true, Meaning: "the public page", Parse: settings.URL(&c.Public)},
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadAppliesDefaultsAndValues(t *testing.T) {
	var c config
	err := c.settings().Load(env(map[string]string{"T_WORKERS": " 3 ", "T_SANDBOX": "yes", "T_PUBLIC_URL": "https://www.paeria.cat/"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Chat != "@canal" || c.Timeout != 30*time.Second || c.Workers != 3 || !c.Sandbox || c.Zone.String() != "Europe/Madrid" || c.Public != "https://www.paeria.cat" {
		t.Errorf("loaded %+v", c)
	}
}

func TestLoadReportsEveryProblemByVariableWithoutSecrets(t *testing.T) {
	var c config
	err := c.settings().Load(env(map[string]string{
		"T_CHAT": "canal", "T_TOKEN": "s3cr3t-value", "T_TIMEOUT": "deu", "T_WORKERS": "9", "T_SANDBOX": "potser", "T_TIME_ZONE": "Lleida",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		`T_CHAT: "canal" does not fit (want @name)`,
		`T_TOKEN: not valid (want digits:letters)`,
		`T_TIMEOUT: "deu" is not a duration from 1s to 1h0m0s (want e.g. 30s, 5m)`,
		`T_WORKERS: "9" is out of range (want a whole number from 1 to 8)`,
		`T_SANDBOX: "potser" is not a yes or no (want 1 or 0)`,
		`T_TIME_ZONE: "Lleida" is not a time zone (want an IANA name, e.g. Europe/Madrid)`,
		`T_PUBLIC_URL: not set (the public page)`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "s3cr3t") {
		t.Errorf("error echoes a secret:\n%s", msg)
	}
}

func TestSecretFromAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(f, []byte("123:abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var c config
	if err := c.settings().Load(env(map[string]string{"T_TOKEN_FILE": f, "T_PUBLIC_URL": "http://x"})); err != nil || c.Token != "123:abc" {
		t.Errorf("token %q, err %v", c.Token, err)
	}
	err := c.settings().Load(env(map[string]string{"T_TOKEN_FILE": f, "T_TOKEN": "1:a", "T_PUBLIC_URL": "http://x"}))
	if err == nil || !strings.Contains(err.Error(), "set T_TOKEN or T_TOKEN_FILE, not both") {
		t.Errorf("both set: err %v", err)
	}
}

func TestHelpAndMarkdownListEverySetting(t *testing.T) {
	var c config
	var help strings.Builder
	if err := c.settings().Help(&help); err != nil {
		t.Fatal(err)
	}
	md := c.settings().Markdown()
	for _, s := range c.settings() {
		if !strings.Contains(help.String(), s.Var) || !strings.Contains(md, "`"+s.Var) {
			t.Errorf("%s missing from --help or the README table", s.Var)
		}
	}
	if !strings.Contains(md, "| `T_TOKEN (or T_TOKEN_FILE)` | — | the bot token |") {
		t.Errorf("markdown:\n%s", md)
	}
}
