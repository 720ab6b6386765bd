package live

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
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
	// DefaultSandboxAddr is where the hub expects the YouTube sandbox.
	DefaultSandboxAddr = "127.0.0.1:8083"
	// DefaultDailyQuota is what a Google Cloud project gets a day unless it asked for more.
	DefaultDailyQuota = 10000
	// DefaultTimeout bounds one API call: long enough for a slow day at Google, short
	// enough that a hung connection is retried well inside the bus's ack wait.
	DefaultTimeout = 20 * time.Second
	// DefaultMaxAttempts at one revision before it is dead. A quota wait is one
	// attempt, so ten allow a week of exhausted days and of outages.
	DefaultMaxAttempts = 10
	// DefaultReplicas of the worker in this process: the bus takes revisions one at a
	// time per channel anyway (ordering), so one is enough; more only stand by.
	DefaultReplicas = 1
)

// Config is everything the YouTube worker needs. Build it with LoadConfig or by hand,
// then Validate it. With no credentials at all the service runs against its built-in
// sandbox (see package sandbox).
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
	// SandboxAddr is where the sandbox listens when no credentials are configured
	// (YOUTUBE_SANDBOX_ADDR).
	SandboxAddr string
	// DailyQuota is the project's daily units, for accounting (YOUTUBE_DAILY_QUOTA).
	DailyQuota int
	// Timeout of one API or token call (YOUTUBE_TIMEOUT, a Go duration).
	Timeout time.Duration
	// MaxAttempts at one revision before the delivery is dead (YOUTUBE_MAX_ATTEMPTS).
	MaxAttempts int
	// Replicas of the worker in this process (YOUTUBE_REPLICAS).
	Replicas int
	// BusReplicas of the channel's consumer: 1 on one server, 3 on a cluster
	// (NATS_REPLICAS).
	BusReplicas int
	// AckWait is how long the bus waits on a worker that went silent (crashed) before
	// it gives the revision to another replica (NATS_ACK_WAIT).
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

// Sandboxed reports whether no credentials are configured, so the service runs
// against its own sandbox.
func (c Config) Sandboxed() bool {
	return c.ClientID == "" && c.ClientSecret == "" && c.RefreshToken == ""
}

// LoadConfig reads the environment through getenv (main passes os.Getenv) and applies
// the defaults. A _FILE variant names a file holding the secret (Docker/Kubernetes
// secrets); setting both it and the plain variable is an error.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		ClientID:    strings.TrimSpace(getenv("YOUTUBE_CLIENT_ID")),
		TokenURL:    or(getenv("YOUTUBE_TOKEN_URL"), DefaultTokenURL),
		APIURL:      or(getenv("YOUTUBE_API_URL"), DefaultAPIURL),
		WatchURL:    or(getenv("YOUTUBE_WATCH_URL"), DefaultWatchURL),
		Privacy:     or(getenv("YOUTUBE_PRIVACY"), DefaultPrivacy),
		WebBaseURL:  or(getenv("WEB_BASE_URL"), DefaultWebBaseURL),
		SandboxAddr: or(getenv("YOUTUBE_SANDBOX_ADDR"), DefaultSandboxAddr),
	}
	var errs []error
	var err error
	if c.ClientSecret, err = secret(getenv, "YOUTUBE_CLIENT_SECRET"); err != nil {
		errs = append(errs, err)
	}
	if c.RefreshToken, err = secret(getenv, "YOUTUBE_REFRESH_TOKEN"); err != nil {
		errs = append(errs, err)
	}
	ints := []struct {
		name string
		dst  *int
		def  int
	}{
		{"YOUTUBE_DAILY_QUOTA", &c.DailyQuota, DefaultDailyQuota},
		{"YOUTUBE_MAX_ATTEMPTS", &c.MaxAttempts, DefaultMaxAttempts},
		{"YOUTUBE_REPLICAS", &c.Replicas, DefaultReplicas},
		{"NATS_REPLICAS", &c.BusReplicas, 1},
	}
	for _, f := range ints {
		*f.dst = f.def
		if v := strings.TrimSpace(getenv(f.name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a whole number", f.name, v))
				continue
			}
			*f.dst = n
		}
	}
	durations := []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"YOUTUBE_TIMEOUT", &c.Timeout, DefaultTimeout},
		{"NATS_ACK_WAIT", &c.AckWait, bus.DefaultAckWait},
		{"YOUTUBE_MIN_BACKOFF", &c.MinBackoff, delivery.DefaultMinBackoff},
	}
	for _, f := range durations {
		*f.dst = f.def
		if v := strings.TrimSpace(getenv(f.name)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration (e.g. 20s)", f.name, v))
				continue
			}
			*f.dst = d
		}
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("youtube config: %w", errors.Join(errs...))
	}
	return c, c.Validate()
}

func or(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

// secret reads NAME or the file named by NAME_FILE. Errors never include the value.
func secret(getenv func(string) string, name string) (string, error) {
	v, file := getenv(name), strings.TrimSpace(getenv(name+"_FILE"))
	switch {
	case v != "" && file != "":
		return "", fmt.Errorf("%s and %s_FILE are both set; set one", name, name)
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(data)), nil
	}
	return strings.TrimSpace(v), nil
}

// Validate reports every problem in c at once. Messages name the setting, never a
// secret's value.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !c.Sandboxed() {
		for _, f := range []struct{ name, v string }{
			{"YOUTUBE_CLIENT_ID", c.ClientID}, {"YOUTUBE_CLIENT_SECRET", c.ClientSecret},
			{"YOUTUBE_REFRESH_TOKEN", c.RefreshToken},
		} {
			if f.v == "" {
				add("%s is missing: set all three of YOUTUBE_CLIENT_ID, YOUTUBE_CLIENT_SECRET and YOUTUBE_REFRESH_TOKEN, or none for the sandbox", f.name)
			}
		}
	}
	for _, u := range []struct{ name, v string }{
		{"YOUTUBE_TOKEN_URL", c.TokenURL}, {"YOUTUBE_API_URL", c.APIURL},
		{"YOUTUBE_WATCH_URL", c.WatchURL}, {"WEB_BASE_URL", c.WebBaseURL},
	} {
		p, err := url.Parse(u.v)
		switch {
		case err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "":
			add("%s: %q is not an http(s) URL", u.name, u.v)
		case p.User != nil:
			add("%s: must not carry a user or password", u.name)
		case strings.ContainsAny(u.v, "<> \t\n"):
			add("%s: %q contains characters a YouTube description cannot hold", u.name, u.v)
		}
	}
	switch c.Privacy {
	case "public", "unlisted", "private":
	default:
		add("YOUTUBE_PRIVACY: %q is not public, unlisted or private", c.Privacy)
	}
	if c.Sandboxed() {
		if _, _, err := net.SplitHostPort(c.SandboxAddr); err != nil {
			add("YOUTUBE_SANDBOX_ADDR: %q is not host:port", c.SandboxAddr)
		}
	}
	if c.DailyQuota <= 0 {
		add("YOUTUBE_DAILY_QUOTA: %d; want a positive number of units", c.DailyQuota)
	}
	if c.Timeout <= 0 {
		add("YOUTUBE_TIMEOUT: %s; want a positive duration", c.Timeout)
	}
	if c.AckWait < time.Second || c.MinBackoff <= 0 {
		add("NATS_ACK_WAIT and YOUTUBE_MIN_BACKOFF: want at least 1s and a positive duration")
	}
	if c.MaxAttempts <= 0 {
		add("YOUTUBE_MAX_ATTEMPTS: %d; want at least 1", c.MaxAttempts)
	}
	if c.Replicas <= 0 || c.BusReplicas <= 0 {
		add("YOUTUBE_REPLICAS and NATS_REPLICAS: want at least 1")
	}
	if len(errs) > 0 {
		return fmt.Errorf("youtube config: %w", errors.Join(errs...))
	}
	return nil
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
		slog.Bool("sandbox", c.Sandboxed()),
	)
}

// String is LogValue's text, so printing a Config with %v hides the secrets too.
func (c Config) String() string { return c.LogValue().String() }
