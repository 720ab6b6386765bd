package site

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/settings"
)

// Config is everything the public page needs to know. The zero value is not valid:
// start from LoadConfig or DefaultConfig. Settings lists the variable of each field.
type Config struct {
	// Addr is the TCP address the page listens on.
	Addr string
	// BaseURL is the page's public address, without a trailing slash. Permalinks,
	// feeds and delivery records carry absolute URLs under it.
	BaseURL string
	// PageSize is how many bulletins one page of / lists.
	PageSize int
	// FeedSize is how many of the newest bulletins the Atom and JSON feeds carry.
	FeedSize int
	// Heartbeat is how often an idle live-update stream sends a comment, so proxies
	// and phones do not drop it.
	Heartbeat time.Duration
	// TimeZone shows dates as Lleida reads them (an IANA name).
	TimeZone string
	// Workers is how many web delivery workers this process runs.
	Workers int
	// MaxStreams caps the live-update streams open at once; 0 derives it from the
	// open-file limit (deriveMaxStreams). Every stream holds a file the bus, the
	// editor and page loads also need.
	MaxStreams int
	// MaxStreamsPerAddr caps the streams of one reader address, so one client cannot
	// take the whole cap.
	MaxStreamsPerAddr int
	// StreamLifetime ends a stream after 75–100 % of it, with a jittered retry hint:
	// a silent reader does not hold its file forever, and reconnections spread out.
	StreamLifetime time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For names the reader for the
	// per-address cap: "none", or addresses and prefixes separated by commas.
	TrustedProxies string
	// TelegramURL and YouTubeURL are the council's channels the page invites readers
	// to follow; "" shows no invitation to that channel.
	TelegramURL, YouTubeURL string
	// Topology is the bus's replica count for the web consumer (NATS_REPLICAS, the
	// bus's setting).
	Topology bus.Topology
	// Observe, when set, is told every delivery outcome of the web channel (Spec.Run
	// passes the admin metrics' Observe). Not read from the environment.
	Observe func(delivery.Outcome)
}

// Defaults, and why.
const (
	// DefaultAddr is where the hub serves the page: loopback, behind the council's proxy.
	DefaultAddr = "127.0.0.1:8081"
	// DefaultBaseURL matches DefaultAddr, so a page run alone links to itself.
	DefaultBaseURL = "http://127.0.0.1:8081"
	// DefaultPageSize keeps the first load of / far under 50 KB on a cheap phone while
	// showing a day of lockdown bulletins.
	DefaultPageSize = 20
	// DefaultFeedSize covers a few weeks of bulletins; feed readers poll often.
	DefaultFeedSize = 50
	// DefaultHeartbeat is under the 30–60 s idle time-out of common proxies and
	// mobile networks.
	DefaultHeartbeat = 25 * time.Second
	// DefaultTimeZone is Lleida's.
	DefaultTimeZone = "Europe/Madrid"
	// DefaultWorkers is one: the bus hands the web consumer one revision at a time
	// (MaxAckPending 1), and applying one to the feed takes microseconds.
	DefaultWorkers = 1
	// DefaultMaxStreamsPerAddr lets a household or an office share one address with a
	// few tabs each, while one client cannot hold the cap.
	DefaultMaxStreamsPerAddr = 4
	// DefaultStreamLifetime: short enough that a crowd's dead or silent streams free
	// their files within minutes, long enough that reconnecting costs nothing.
	DefaultStreamLifetime = 10 * time.Minute
	// DefaultTrustedProxies is loopback: the page listens there because the council's
	// proxy, on the same host, sits in front and sets X-Forwarded-For.
	DefaultTrustedProxies = "127.0.0.0/8,::1"
	// DefaultTelegramURL is the council's public channel "La Paeria explica", the one
	// the telegram service posts to.
	DefaultTelegramURL = "https://t.me/lapaeriaexplica"
	// DefaultYouTubeURL is none: a guessed channel address would send citizens
	// somewhere wrong, so the invitation shows once the operator names it.
	DefaultYouTubeURL = "none"
)

// Limits that keep one request cheap, and the rest sane.
const (
	maxPageSize  = 200
	maxFeedSize  = 500
	maxHeartbeat = time.Hour
	maxWorkers   = 16
	// maxStreams is far above what a council's crowd needs, and what one process's
	// memory holds.
	maxStreams        = 100000
	maxStreamsPerAddr = 1000
	minStreamLifetime = time.Second
	maxStreamLifetime = 24 * time.Hour
)

// DefaultConfig returns the defaults above.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, BaseURL: DefaultBaseURL, PageSize: DefaultPageSize,
		FeedSize: DefaultFeedSize, Heartbeat: DefaultHeartbeat, TimeZone: DefaultTimeZone,
		Workers: DefaultWorkers, MaxStreamsPerAddr: DefaultMaxStreamsPerAddr,
		StreamLifetime: DefaultStreamLifetime, TrustedProxies: DefaultTrustedProxies,
		TelegramURL: DefaultTelegramURL}
}

// LoadConfig reads the page's settings table, and the bus's NATS_REPLICAS, through
// getenv (env.Getenv, os.Getenv's view) over the defaults. It reports every bad
// setting at once, each as "VAR: what is wrong (want what is right)". The page has no
// rule that ties two settings together: each row's check is the whole validation.
func LoadConfig(getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	table := append(append(cfg.Settings(), replicas(&cfg.Topology)...), renamed()...)
	if err := table.Load(getenv); err != nil {
		return Config{}, fmt.Errorf("web settings: %w", err)
	}
	return cfg, nil
}

// renamed refuses the old names of settings, naming the new one: a deployment that
// still sets WEB_TIMEZONE would otherwise quietly show dates in the default zone. They
// are not in Settings, so --help and the README list only the current names.
func renamed() settings.Table {
	return settings.Table{
		{Var: "WEB_TIMEZONE", Parse: func(string) error { return errors.New("renamed (want WEB_TIME_ZONE)") }},
	}
}

// Validate checks a Config built in code (a test's, the hub's) by the same rows
// LoadConfig uses, so it refuses what the environment would, in the same words.
func (c Config) Validate() error {
	var got Config
	var errs []error
	for _, s := range got.Settings() {
		if err := s.Parse(c.text(s.Var)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Var, err))
		}
	}
	// Loading trims a trailing slash; in code nothing does, and links would get "//".
	if got.BaseURL != "" && got.BaseURL != c.BaseURL {
		errs = append(errs, fmt.Errorf("WEB_BASE_URL: %q ends in a slash (want none, e.g. %s)", c.BaseURL, got.BaseURL))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("web settings: %w", err)
	}
	return nil
}

// text is a field as its variable would spell it.
func (c Config) text(variable string) string {
	switch variable {
	case "WEB_ADDR":
		return c.Addr
	case "WEB_BASE_URL":
		return c.BaseURL
	case "WEB_PAGE_SIZE":
		return strconv.Itoa(c.PageSize)
	case "WEB_FEED_SIZE":
		return strconv.Itoa(c.FeedSize)
	case "WEB_SSE_HEARTBEAT":
		return c.Heartbeat.String()
	case "WEB_TIME_ZONE":
		return c.TimeZone
	case "WEB_WORKERS":
		return strconv.Itoa(c.Workers)
	case "WEB_MAX_STREAMS":
		return strconv.Itoa(c.MaxStreams)
	case "WEB_MAX_STREAMS_PER_ADDR":
		return strconv.Itoa(c.MaxStreamsPerAddr)
	case "WEB_STREAM_LIFETIME":
		return c.StreamLifetime.String()
	case "WEB_TRUSTED_PROXIES":
		return c.TrustedProxies
	case "WEB_TELEGRAM_URL":
		return orNone(c.TelegramURL)
	case "WEB_YOUTUBE_URL":
		return orNone(c.YouTubeURL)
	}
	return "" // a row without a case here fails Validate: TestValidate catches it
}

// orNone spells an absent link as its variable does.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
