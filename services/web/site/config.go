package site

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// Config is everything the public page needs to know. The zero value is not valid:
// start from LoadConfig or DefaultConfig.
type Config struct {
	// Addr is the TCP address the page listens on (WEB_ADDR).
	Addr string
	// BaseURL is the page's public address, without a trailing slash (WEB_BASE_URL).
	// Permalinks, feeds and delivery records carry absolute URLs under it.
	BaseURL string
	// PageSize is how many bulletins one page of / lists (WEB_PAGE_SIZE).
	PageSize int
	// FeedSize is how many of the newest bulletins the Atom and JSON feeds carry
	// (WEB_FEED_SIZE).
	FeedSize int
	// Heartbeat is how often an idle live-update stream sends a comment, so proxies
	// and phones do not drop it (WEB_SSE_HEARTBEAT, a Go duration).
	Heartbeat time.Duration
	// TimeZone shows dates as Lleida reads them (WEB_TIMEZONE, an IANA name).
	TimeZone string
	// Topology is the bus's replica count for the web consumer (NATS_REPLICAS).
	Topology bus.Topology
	// Observe, when set, is told every delivery outcome of the web channel (the hub
	// passes its metrics' Observe). Not read from the environment.
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
)

// Limits that keep one request cheap.
const (
	maxPageSize = 200
	maxFeedSize = 500
)

// DefaultConfig returns the defaults above.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, BaseURL: DefaultBaseURL, PageSize: DefaultPageSize,
		FeedSize: DefaultFeedSize, Heartbeat: DefaultHeartbeat, TimeZone: DefaultTimeZone}
}

// LoadConfig reads the environment through getenv (os.Getenv in main) over the
// defaults and validates the result.
func LoadConfig(getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	var errs []error
	str := func(key string, dst *string) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			*dst = v
		}
	}
	num := func(key string, dst *int) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a whole number", key, v))
				return
			}
			*dst = n
		}
	}
	str("WEB_ADDR", &cfg.Addr)
	str("WEB_BASE_URL", &cfg.BaseURL)
	num("WEB_PAGE_SIZE", &cfg.PageSize)
	num("WEB_FEED_SIZE", &cfg.FeedSize)
	str("WEB_TIMEZONE", &cfg.TimeZone)
	if v := strings.TrimSpace(getenv("WEB_SSE_HEARTBEAT")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("WEB_SSE_HEARTBEAT: %q is not a duration (e.g. 25s)", v))
		} else {
			cfg.Heartbeat = d
		}
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	topo, err := bus.LoadTopology(getenv)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.Topology = topo
	errs = append(errs, cfg.problems()...)
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("web config: %w", errors.Join(errs...))
	}
	return cfg, nil
}

// Validate reports every field that is out of range, naming its variable.
func (c Config) Validate() error {
	if errs := c.problems(); len(errs) > 0 {
		return fmt.Errorf("web config: %w", errors.Join(errs...))
	}
	return nil
}

func (c Config) problems() []error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("WEB_ADDR: %q is not host:port", c.Addr))
	}
	u, err := url.Parse(c.BaseURL)
	switch {
	case err == nil && u.User != nil:
		errs = append(errs, fmt.Errorf("WEB_BASE_URL: %q must not carry credentials", u.Redacted()))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs = append(errs, fmt.Errorf("WEB_BASE_URL: %q is not an absolute http(s) URL", c.BaseURL))
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(c.BaseURL, "/"):
		errs = append(errs, fmt.Errorf("WEB_BASE_URL: %q must have no query, fragment or trailing slash", c.BaseURL))
	}
	if c.PageSize < 1 || c.PageSize > maxPageSize {
		errs = append(errs, fmt.Errorf("WEB_PAGE_SIZE: %d is not within 1..%d", c.PageSize, maxPageSize))
	}
	if c.FeedSize < 1 || c.FeedSize > maxFeedSize {
		errs = append(errs, fmt.Errorf("WEB_FEED_SIZE: %d is not within 1..%d", c.FeedSize, maxFeedSize))
	}
	if c.Heartbeat < time.Second {
		errs = append(errs, fmt.Errorf("WEB_SSE_HEARTBEAT: %s is under 1s", c.Heartbeat))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		errs = append(errs, fmt.Errorf("WEB_TIMEZONE: %q is not a known time zone", c.TimeZone))
	}
	return errs
}
