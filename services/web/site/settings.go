package site

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/settings"
)

// Settings binds each of the page's environment variables to its field of c, with its
// default, its meaning and its check. It drives LoadConfig, Validate, --help and the
// README's table, so the four cannot drift apart.
func (c *Config) Settings() settings.Table {
	return settings.Table{
		{Var: "WEB_ADDR", Default: DefaultAddr,
			Meaning: "host:port the page listens on (loopback by default: the council's proxy sits in front)",
			Parse:   settings.Addr(&c.Addr)},
		{Var: "WEB_BASE_URL", Default: DefaultBaseURL,
			Meaning: "the page's public address, prefix of every permalink (/bulletins/id) in pages, feeds and delivery records; " +
				"http(s), no credentials, query or fragment; a path is kept, a trailing slash trimmed",
			Parse: baseURL(&c.BaseURL)},
		{Var: "WEB_PAGE_SIZE", Default: strconv.Itoa(DefaultPageSize),
			Meaning: fmt.Sprintf("bulletins on one page of / (1 to %d)", maxPageSize),
			Parse:   settings.Int(&c.PageSize, 1, maxPageSize)},
		{Var: "WEB_FEED_SIZE", Default: strconv.Itoa(DefaultFeedSize),
			Meaning: fmt.Sprintf("newest bulletins in each of the Atom and JSON feeds (1 to %d)", maxFeedSize),
			Parse:   settings.Int(&c.FeedSize, 1, maxFeedSize)},
		{Var: "WEB_SSE_HEARTBEAT", Default: DefaultHeartbeat.String(),
			Meaning: "keep-alive comment on an idle live-update stream, under proxies' 30–60 s time-outs (1s to 1h)",
			Parse:   settings.Duration(&c.Heartbeat, time.Second, maxHeartbeat)},
		{Var: "WEB_TIME_ZONE", Default: DefaultTimeZone,
			Meaning: "IANA time zone of the dates the page shows (the tz database is embedded)",
			Parse:   zone(&c.TimeZone)},
		{Var: "WEB_WORKERS", Default: strconv.Itoa(DefaultWorkers),
			Meaning: fmt.Sprintf("delivery workers in this process, 1 to %d (the bus hands out one revision at a time: extras stand by)", maxWorkers),
			Parse:   settings.Int(&c.Workers, 1, maxWorkers)},
		{Var: "WEB_MAX_STREAMS", Default: "0",
			Meaning: fmt.Sprintf("live-update streams open at once, 0 to %d; 0 derives it from the soft open-file limit L: "+
				"min(%d, max((L − %d) / 2, L / 8)), e.g. 1792 for L = 4096; over it /events answers 503", maxStreams, maxDerivedStreams, streamReserve),
			Parse: settings.Int(&c.MaxStreams, 0, maxStreams)},
		{Var: "WEB_MAX_STREAMS_PER_ADDR", Default: strconv.Itoa(DefaultMaxStreamsPerAddr),
			Meaning: fmt.Sprintf("live-update streams one reader address may hold, 1 to %d (an IPv6 address counts by its /64); over it 429", maxStreamsPerAddr),
			Parse:   settings.Int(&c.MaxStreamsPerAddr, 1, maxStreamsPerAddr)},
		{Var: "WEB_STREAM_LIFETIME", Default: "10m",
			Meaning: "a live-update stream ends after 75–100 % of this with a jittered retry: hint, and the browser reconnects (1s to 24h)",
			Parse:   settings.Duration(&c.StreamLifetime, minStreamLifetime, maxStreamLifetime)},
		{Var: "WEB_TRUSTED_PROXIES", Default: DefaultTrustedProxies,
			Meaning: "peers whose X-Forwarded-For names the reader for the per-address cap: none, or addresses and prefixes, comma-separated",
			Parse:   proxies(&c.TrustedProxies)},
		{Var: "WEB_TELEGRAM_URL", Default: DefaultTelegramURL,
			Meaning: "the Telegram channel every page invites readers to follow; https, or none to show no invitation",
			Parse:   channelURL(&c.TelegramURL)},
		{Var: "WEB_YOUTUBE_URL", Default: DefaultYouTubeURL,
			Meaning: "the council's YouTube channel every page invites readers to follow, e.g. https://www.youtube.com/@name; https, or none to show no invitation",
			Parse:   channelURL(&c.YouTubeURL)},
	}
}

// replicas is the bus's own NATS_REPLICAS row, bound to topo. service.Main reads and
// lists it for every service but keeps the value to itself, and the web consumer needs
// it: reading the same row keeps one parser and one error text for it.
func replicas(topo *bus.Topology) settings.Table {
	var conn bus.ConnConfig
	for _, s := range bus.Settings(&conn, topo) {
		if s.Var == "NATS_REPLICAS" {
			return settings.Table{s}
		}
	}
	return nil
}

// baseURL stores the page's public address. Beyond settings.URL's rule it refuses
// credentials (every link would show them; the error shows them redacted) and a query
// or fragment (links append paths to the address).
func baseURL(dst *string) func(string) error {
	return func(v string) error {
		u, err := url.Parse(v)
		if err == nil && u.User != nil {
			return fmt.Errorf("%q carries a user or password (want none: every link would show it)", u.Redacted())
		}
		var s string
		if err := settings.URL(&s)(v); err != nil {
			return err
		}
		if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
			return fmt.Errorf("%q has a query or fragment (want a plain address, e.g. https://www.paeria.cat/covid)", v)
		}
		*dst = s
		return nil
	}
}

// proxies stores a list parseProxies accepts, as written.
func proxies(dst *string) func(string) error {
	return func(v string) error {
		if _, err := parseProxies(v); err != nil {
			return err
		}
		*dst = strings.TrimSpace(v)
		return nil
	}
}

// zone stores the name of a time zone that exists. The name, not the location, is
// kept so that a Config stays comparable and printable.
func zone(dst *string) func(string) error {
	return func(v string) error {
		if v == "" {
			// time.LoadLocation takes "" for UTC; an empty zone is a mistake here.
			return errors.New(`"" is not a time zone (want an IANA name, e.g. Europe/Madrid)`)
		}
		var loc *time.Location
		if err := settings.Location(&loc)(v); err != nil {
			return err
		}
		*dst = v
		return nil
	}
}

// channelURL stores the address of a channel the page links on every page, or "" for
// none. Only https: the link leaves the page, and a reader following it should not be
// downgraded; no credentials, which every reader would see.
func channelURL(dst *string) func(string) error {
	return func(v string) error {
		if v == "none" {
			*dst = ""
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("%q is not an https address (want e.g. https://t.me/lapaeriaexplica, or none)", v)
		}
		if u.User != nil {
			return fmt.Errorf("%q carries a user or password (want none: every reader would see it)", u.Redacted())
		}
		*dst = v
		return nil
	}
}
