package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

const (
	defaultNATS = "nats://127.0.0.1:4222"
	defaultNkey = "data/credentials/editor.nk"
	maxReaders  = 100000
	// maxSources bounds the loopback source addresses: 127.0.0.1 to 127.0.0.254.
	maxSources = 254
)

// Config is one run.
type Config struct {
	Readers     int
	Ramp        time.Duration
	URL         string // "" starts the page in this process
	NATSURL     string // with URL
	NkeySeed    string // with URL
	Path        string
	PerSource   int
	PageConns   int
	Seed        int
	ConnectWait time.Duration
	Wait        time.Duration
	Probe       time.Duration
	// Fetch is how a reader shows the bulletin an event names: "event" (what live.js
	// does on a list's first page: the article the event carries, or a fetch of it when
	// the event only names it), "article" (what live.js did before: a stream without a
	// language, and a fetch of the article) or "page" (a stream without a language, and
	// a refetch of the page, as live.js still does elsewhere), to compare them on the
	// same machine.
	Fetch string
	// CPUProfile, when set, is where a CPU profile of the whole run is written (in-process
	// it includes the page's side: the streams, the fan-out, the page loads).
	CPUProfile string
}

// Validate reports every bad value at once. Only loopback targets are allowed.
func (c Config) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if c.Readers < 1 || c.Readers > maxReaders {
		bad("-readers: %d is out of range (want 1 to %d)", c.Readers, maxReaders)
	}
	if c.PerSource < 1 || (c.URL == "" && c.PerSource > 1000) {
		bad("-per-source: %d is out of range (want 1 to 1000: the page's WEB_MAX_STREAMS_PER_ADDR)", c.PerSource)
	}
	if c.Readers >= 1 && c.PerSource >= 1 && c.sources() > maxSources {
		bad("-readers %d at -per-source %d needs %d source addresses (at most %d)", c.Readers, c.PerSource, c.sources(), maxSources)
	}
	if c.PageConns < 1 {
		bad("-page-conns: %d (want at least 1)", c.PageConns)
	}
	if c.Seed < 0 || c.Seed > 1000 {
		bad("-seed: %d is out of range (want 0 to 1000)", c.Seed)
	}
	if c.Ramp < 0 || c.ConnectWait <= 0 || c.Wait <= 0 || c.Probe <= 0 {
		bad("-ramp must be ≥ 0, and -connect-wait, -wait and -probe > 0")
	}
	if c.Fetch != "event" && c.Fetch != "article" && c.Fetch != "page" {
		bad("-fetch: %q (want event, article or page)", c.Fetch)
	}
	if !strings.HasPrefix(c.Path, "/") {
		bad("-path: %q (want a path starting with /)", c.Path)
	}
	if c.URL != "" {
		if _, err := loopbackBase(c.URL); err != nil {
			bad("-url: %w", err)
		}
		if c.NATSURL != "" {
			if err := loopbackNATS(c.NATSURL); err != nil {
				bad("-nats: %w", err)
			}
		}
	} else if c.NATSURL != "" || c.NkeySeed != "" {
		bad("-nats and -nkey go with -url (in-process, the tool starts its own bus)")
	}
	return errors.Join(errs...)
}

// sources is how many loopback source addresses the readers are spread over.
func (c Config) sources() int { return (c.Readers + c.PerSource - 1) / c.PerSource }

// loopbackBase checks a target base URL: http, a loopback IP (or localhost), no path.
func loopbackBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", raw, err)
	}
	if u.Scheme != "http" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("%q: want http://host:port with nothing after it", raw)
	}
	if !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("%q: only loopback targets (127.0.0.0/8, ::1, localhost)", raw)
	}
	u.Path = ""
	return u, nil
}

func loopbackNATS(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q: %w", raw, err)
	}
	if !isLoopback(u.Hostname()) {
		return fmt.Errorf("%q: only a loopback bus (127.0.0.0/8, ::1, localhost)", raw)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// sourceAddr is the i-th source address on the side of target's address family:
// 127.0.0.(i+1), or ::1 for an IPv6 target (one address: the per-address cap counts
// an IPv6 reader by its /64 anyway).
func sourceAddr(i int, ipv6 bool) *net.TCPAddr {
	if ipv6 {
		return &net.TCPAddr{IP: net.IPv6loopback}
	}
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(i+1))}
}
