package live

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/settings"
)

// Settings binds every environment variable of the service to its field of c, with its
// default and check. It drives LoadConfig, --help and the README's table.
func (c *Config) Settings() settings.Table {
	return settings.Table{
		{Var: "YOUTUBE_CLIENT_ID", Meaning: "OAuth client id of the council's Google Cloud project, for the real channel",
			Parse: settings.String(&c.ClientID)},
		{Var: "YOUTUBE_CLIENT_SECRET", Meaning: "that client's secret", Secret: true, File: true,
			Parse: settings.String(&c.ClientSecret)},
		{Var: "YOUTUBE_REFRESH_TOKEN", Meaning: "refresh token for the council's channel (docs/refresh-token.md)",
			Secret: true, File: true, Parse: settings.String(&c.RefreshToken)},
		{Var: "YOUTUBE_SANDBOX", Default: "0",
			Meaning: "1: schedule in the local YouTube sandbox instead of YouTube (only without credentials; records say sandbox)",
			Parse:   settings.Bool(&c.Sandbox)},
		{Var: "YOUTUBE_SANDBOX_ADDR", Default: DefaultSandboxAddr, Meaning: "where the sandbox and its page listen",
			Parse: settings.Addr(&c.SandboxAddr)},
		{Var: "YOUTUBE_TOKEN_URL", Default: DefaultTokenURL, Meaning: "OAuth2 token endpoint", Parse: link(&c.TokenURL, "")},
		{Var: "YOUTUBE_API_URL", Default: DefaultAPIURL, Meaning: "API root (the client adds youtube/v3/…)",
			Parse: link(&c.APIURL, "/")},
		{Var: "YOUTUBE_WATCH_URL", Default: DefaultWatchURL, Meaning: "prefix of the link citizens follow (the broadcast id is appended)",
			Parse: link(&c.WatchURL, "")},
		{Var: "YOUTUBE_PRIVACY", Default: DefaultPrivacy, Meaning: "privacy of new broadcasts: public, unlisted or private",
			Parse: settings.OneOf(&c.Privacy, "public", "unlisted", "private")},
		{Var: "WEB_BASE_URL", Default: DefaultWebBaseURL, Meaning: "the public page; descriptions link to WEB_BASE_URL/bulletins/{id}",
			Parse: link(&c.WebBaseURL, "")},
		{Var: "YOUTUBE_WORKERS", Default: strconv.Itoa(DefaultWorkers),
			Meaning: "delivery workers in this process (the channel takes one revision at a time: extras stand by)",
			Parse:   settings.Int(&c.Workers, 1, 16)},
		{Var: "YOUTUBE_DAILY_QUOTA", Default: strconv.Itoa(DefaultDailyQuota), Meaning: "the project's daily units, for the account",
			Parse: settings.Int(&c.DailyQuota, 1, 1_000_000_000)},
		{Var: "YOUTUBE_TIMEOUT", Default: DefaultTimeout.String(), Meaning: "bound on one API or token call",
			Parse: settings.Duration(&c.Timeout, 100*time.Millisecond, 10*time.Minute)},
		{Var: "YOUTUBE_MAX_ATTEMPTS", Default: strconv.Itoa(DefaultMaxAttempts),
			Meaning: "attempts at one revision before it is dead (a quota wait is one)",
			Parse:   settings.Int(&c.MaxAttempts, 1, 1000)},
		{Var: "YOUTUBE_MIN_BACKOFF", Default: delivery.DefaultMinBackoff.String(),
			Meaning: "first wait after a temporary failure; doubles up to 5 min",
			Parse:   settings.Duration(&c.MinBackoff, time.Millisecond, 5*time.Minute)},
		{Var: "YOUTUBE_ACK_WAIT", Default: bus.DefaultAckWait.String(),
			Meaning: "how long the bus waits for a silent (crashed) worker before another takes the revision",
			Parse:   settings.Duration(&c.AckWait, time.Second, time.Hour)},
	}
}

// renamed are variables this service read under another name; set, they are refused
// rather than silently ignored.
var renamed = []struct{ old, now string }{
	{"YOUTUBE_REPLICAS", "YOUTUBE_WORKERS"},
	{"NATS_ACK_WAIT", "YOUTUBE_ACK_WAIT"},
}

// LoadConfig reads the configuration through getenv (os.Getenv, or the hub's view of
// it): the settings table, the bus's replicas, then the checks across settings. It
// reports every problem at once, each as "VAR: what (want what)", never a secret.
func LoadConfig(getenv func(string) string) (Config, error) {
	var c Config
	var topo bus.Topology
	var conn bus.ConnConfig
	// NATS_REPLICAS with the bus's own row, so its check and message are the ones
	// service.Main gives (Env does not carry what Main read).
	errs := []error{c.Settings().Load(getenv), bus.Settings(&conn, &topo).Load(getenv)}
	c.BusReplicas = topo.Replicas
	for _, r := range renamed {
		if strings.TrimSpace(getenv(r.old)) != "" {
			errs = append(errs, fmt.Errorf("%s: renamed (want %s)", r.old, r.now))
		}
	}
	c.defaults()
	given := map[string]bool{}
	for _, v := range credentialVars {
		given[v] = strings.TrimSpace(getenv(v)) != "" || strings.TrimSpace(getenv(v+"_FILE")) != ""
	}
	errs = append(errs, c.problems(given)...)
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("youtube settings: %w", err)
	}
	return c, nil
}

// link stores an http(s) URL that a YouTube description can hold, ending in suffix
// (the API root must end in "/", or the client drops its last path element).
func link(dst *string, suffix string) func(string) error {
	return func(v string) error {
		u, err := url.Parse(v)
		switch {
		case err == nil && u.User != nil:
			// Not echoed: the password is a secret.
			return errors.New("carries a user or password (want a web address without one)")
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			return fmt.Errorf("%q is not a web address (want http:// or https:// and a host)", v)
		case strings.ContainsAny(v, "<> \t\n"):
			return fmt.Errorf("%q holds characters a YouTube description cannot (want no <, > or spaces)", v)
		}
		if !strings.HasSuffix(v, suffix) {
			v += suffix
		}
		*dst = v
		return nil
	}
}
