package cli

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/paeria/pregoner/shared/settings"
)

// DefaultURL is the editor of a hub started on this machine.
const DefaultURL = "http://127.0.0.1:8080"

// Config is what the bulletin commands read from the environment.
type Config struct {
	URL, Token string
}

// tokenRE is the shape of the editor's tokens (accounts: "pgt_" and 32 random bytes).
var tokenRE = regexp.MustCompile(`^pgt_[A-Za-z0-9_-]{20,96}$`)

// Settings is the command line's settings table; "editor --help" prints it.
func (c *Config) Settings() settings.Table {
	return settings.Table{
		{Var: "EDITOR_URL", Default: DefaultURL, Meaning: "the editor whose API the bulletin commands call",
			Parse: settings.URL(&c.URL)},
		{Var: "EDITOR_TOKEN", Secret: true, File: true, Meaning: "the API token the bulletin commands send; unset: the one editor login kept",
			Parse: settings.Match(&c.Token, tokenRE, "pgt_ and the rest, as editor login or editor token create gave it")},
	}
}

// renamedCLI are variables the command line read before, named so nobody wonders why
// they stopped working.
var renamedCLI = map[string]string{"EDITOR_API_URL": "EDITOR_URL"}

// loadConfig reads the settings, then the kept login token when EDITOR_TOKEN is unset.
func (c *client) loadConfig() (Config, error) {
	var cfg Config
	var errs []error
	if err := cfg.Settings().Load(c.env.Getenv); err != nil {
		errs = append(errs, err)
	}
	for old, now := range renamedCLI {
		if c.env.Getenv(old) != "" {
			errs = append(errs, fmt.Errorf("%s: no longer read (want %s instead)", old, now))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	if cfg.Token == "" && c.env.TokenFile != "" {
		data, err := os.ReadFile(c.env.TokenFile)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return Config{}, fmt.Errorf("read the kept login token: %w", err)
		}
		cfg.Token = strings.TrimSpace(string(data))
	}
	return cfg, nil
}

// errNoToken says how to get a token.
var errNoToken = errors.New("no token: log in first with: editor login NAME (or set EDITOR_TOKEN to an API token)")
