package live

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// Defaults, and why.
const (
	// DefaultTokenURL is Google's OAuth2 token endpoint.
	DefaultTokenURL = "https://oauth2.googleapis.com/token"
	// DefaultAPIURL is the YouTube Data API's root; the client adds /youtube/v3/...
	DefaultAPIURL = "https://youtube.googleapis.com/"
	// DefaultWatchURL is where citizens watch a broadcast; its id is appended.
	DefaultWatchURL = "https://www.youtube.com/watch?v="
	// DefaultPrivacy: announcements are for every citizen.
	DefaultPrivacy = "public"
	// DefaultWebBaseURL is the hub's public page; a bulletin's permalink hangs off it.
	DefaultWebBaseURL = "http://127.0.0.1:8081"
	// DefaultSandboxAddr is where the local YouTube sandbox listens when it is asked
	// for (YOUTUBE_SANDBOX=1): the hub's YouTube page.
	DefaultSandboxAddr = "127.0.0.1:8083"
	// DefaultDailyQuota is what a Google Cloud project gets a day unless it asked for more.
	DefaultDailyQuota = 10000
	// DefaultTimeout bounds one API call: long enough for a slow day at Google, short
	// enough that a hung connection is retried well inside the bus's ack wait.
	DefaultTimeout = 20 * time.Second
	// DefaultMaxAttempts at one revision before it is dead. A quota wait is one
	// attempt, so ten allow a week of exhausted days and of outages.
	DefaultMaxAttempts = 10
	// DefaultWorkers in this process: the bus takes revisions one at a time per
	// channel anyway (ordering), so one is enough; more only stand by.
	DefaultWorkers = 1
)

// Config is everything the YouTube worker needs. LoadConfig reads it from the
// environment through the table of Settings; tests build it by hand (zero fields take
// the defaults). Without credentials the service refuses to start unless Sandbox asks
// for its built-in sandbox (see package sandbox).
type Config struct {
	// ClientID of the Google Cloud OAuth client (YOUTUBE_CLIENT_ID).
	ClientID string
	// ClientSecret of that client (YOUTUBE_CLIENT_SECRET or YOUTUBE_CLIENT_SECRET_FILE).
	// Never logged.
	ClientSecret string
	// RefreshToken staff obtained once for the council's channel
	// (YOUTUBE_REFRESH_TOKEN or YOUTUBE_REFRESH_TOKEN_FILE); see docs/refresh-token.md.
	// Never logged.
	RefreshToken string
	// TokenURL is the OAuth2 token endpoint (YOUTUBE_TOKEN_URL).
	TokenURL string
	// APIURL is the YouTube Data API root (YOUTUBE_API_URL).
	APIURL string
	// WatchURL prefixes a broadcast id to make the link citizens follow (YOUTUBE_WATCH_URL).
	WatchURL string
	// Privacy of new broadcasts: public, unlisted or private (YOUTUBE_PRIVACY).
	Privacy string
	// WebBaseURL is the public page's root; descriptions link to
	// <WebBaseURL>/bulletins/<id> (WEB_BASE_URL).
	WebBaseURL string
	// Sandbox runs the local YouTube sandbox instead of YouTube (YOUTUBE_SANDBOX=1). It
	// must be asked for, and only without credentials: missing credentials never quietly
	// turn into a sandbox. Every record it makes says sandbox.
	Sandbox bool
	// SandboxAddr is where the sandbox listens (YOUTUBE_SANDBOX_ADDR).
	SandboxAddr string
	// DailyQuota is the project's daily units, for accounting (YOUTUBE_DAILY_QUOTA).
	DailyQuota int
	// Timeout of one API or token call (YOUTUBE_TIMEOUT, a Go duration).
	Timeout time.Duration
	// MaxAttempts at one revision before the delivery is dead (YOUTUBE_MAX_ATTEMPTS).
	MaxAttempts int
	// Workers in this process (YOUTUBE_WORKERS, formerly YOUTUBE_REPLICAS).
	Workers int
	// BusReplicas of the channel's consumer: 1 on one server, 3 on a cluster
	// (NATS_REPLICAS).
	BusReplicas int
	// AckWait is how long the bus waits on a worker that went silent (crashed) before
	// it gives the revision to another replica (YOUTUBE_ACK_WAIT, formerly
	// NATS_ACK_WAIT).
	AckWait time.Duration
	// MinBackoff is the first wait after a temporary failure; it doubles with each
	// attempt up to five minutes (YOUTUBE_MIN_BACKOFF).
	MinBackoff time.Duration
	// Observe, when set, is told every delivery outcome (the hub passes its metrics'
	// Observe). Not read from the environment.
	Observe func(delivery.Outcome)
	// Now is the clock for tokens, quota days and start times; nil means time.Now.
	// Tests set it to a clock they control.
	Now func() time.Time
}

// credentialVars are the three settings the real channel needs, all or none.
var credentialVars = []string{"YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN"}

// given says which credentials c holds, keyed by variable.
func (c Config) given() map[string]bool {
	return map[string]bool{"YOUTUBE_CLIENT_ID": c.ClientID != "", "YOUTUBE_CLIENT_SECRET": c.ClientSecret != "",
		"YOUTUBE_REFRESH_TOKEN": c.RefreshToken != ""}
}

// defaults fills the zero fields of a Config built in code; LoadConfig fills the same
// from the settings table's defaults.
func (c *Config) defaults() {
	for _, f := range []struct {
		dst *string
		def string
	}{
		{&c.TokenURL, DefaultTokenURL}, {&c.APIURL, DefaultAPIURL}, {&c.WatchURL, DefaultWatchURL},
		{&c.Privacy, DefaultPrivacy}, {&c.WebBaseURL, DefaultWebBaseURL}, {&c.SandboxAddr, DefaultSandboxAddr},
	} {
		if *f.dst == "" {
			*f.dst = f.def
		}
	}
	for _, f := range []struct {
		dst *int
		def int
	}{
		{&c.DailyQuota, DefaultDailyQuota}, {&c.MaxAttempts, DefaultMaxAttempts}, {&c.Workers, DefaultWorkers}, {&c.BusReplicas, 1},
	} {
		if *f.dst == 0 {
			*f.dst = f.def
		}
	}
	for _, f := range []struct {
		dst *time.Duration
		def time.Duration
	}{
		{&c.Timeout, DefaultTimeout}, {&c.AckWait, bus.DefaultAckWait}, {&c.MinBackoff, delivery.DefaultMinBackoff},
	} {
		if *f.dst == 0 {
			*f.dst = f.def
		}
	}
}

// Validate reports what the settings get wrong together — which channel is meant, a
// partial set of credentials — all at once; each setting's own check is in Settings.
// Messages name settings, never a secret's value.
func (c Config) Validate() error {
	if err := errors.Join(c.problems(c.given())...); err != nil {
		return fmt.Errorf("youtube settings: %w", err)
	}
	return nil
}

// problems are Validate's findings, one "VAR: what (want what)" each. given says which
// credentials were given at all, so that one given but unreadable (its _FILE) is not
// also reported as missing.
func (c Config) problems(given map[string]bool) []error {
	const all = "YOUTUBE_CLIENT_ID, YOUTUBE_CLIENT_SECRET and YOUTUBE_REFRESH_TOKEN (the secrets or their _FILE)"
	var missing []string
	for _, v := range credentialVars {
		if !given[v] {
			missing = append(missing, v)
		}
	}
	switch {
	case len(missing) == len(credentialVars) && !c.Sandbox:
		// Never a silent stand-in: scheduling in the sandbox while staff believe the
		// channel has it is worse than not starting.
		return []error{errors.New(strings.Join(missing, ", ") + ": not set, and no sandbox asked for " +
			"(want " + all + " for the real channel, or YOUTUBE_SANDBOX=1 for the local sandbox)")}
	case len(missing) < len(credentialVars) && c.Sandbox:
		return []error{errors.New("YOUTUBE_SANDBOX: 1 while credentials are set, so which channel is meant is unclear " +
			"(want the credentials for the real channel, or YOUTUBE_SANDBOX=1 without them for the local sandbox)")}
	case c.Sandbox:
		return nil
	}
	var errs []error
	for _, v := range missing {
		errs = append(errs, fmt.Errorf("%s: not set while other credentials are (want all three of %s)", v, all))
	}
	return errs
}

// LogValue shows the configuration in logs with the secrets hidden.
func (c Config) LogValue() slog.Value {
	hidden := func(s string) string {
		if s == "" {
			return ""
		}
		return "[redacted]"
	}
	return slog.GroupValue(
		slog.String("client_id", c.ClientID),
		slog.String("client_secret", hidden(c.ClientSecret)),
		slog.String("refresh_token", hidden(c.RefreshToken)),
		slog.String("token_url", c.TokenURL),
		slog.String("api_url", c.APIURL),
		slog.String("privacy", c.Privacy),
		slog.Bool("sandbox", c.Sandbox),
	)
}

// String is LogValue's text, so printing a Config with %v hides the secrets too.
func (c Config) String() string { return c.LogValue().String() }
