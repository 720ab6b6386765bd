// Package staff is the editor service the hub runs: the staff's web UI and the JSON
// API on one HTTP server, over accounts, sessions, drafts and the audit log kept on the
// bus. NewService builds it from a Config; Run serves until the context ends.
package staff

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the time zone works on machines without a zoneinfo database

	"golang.org/x/crypto/bcrypt"
)

// Defaults, and why.
const (
	// DefaultAddr is loopback: staff reach the editor through the council's proxy.
	DefaultAddr = "127.0.0.1:8080"
	// DefaultWebBaseURL is the hub's public page, for permalinks in previews.
	DefaultWebBaseURL = "http://127.0.0.1:8081"
	// DefaultSessionIdle: a desk left alone for half an hour needs a new login.
	DefaultSessionIdle = 30 * time.Minute
	// DefaultSessionMax: one working day, then log in again.
	DefaultSessionMax = 12 * time.Hour
	// DefaultMaxFailures in a row lock an account: enough for typos, too few to guess.
	DefaultMaxFailures = 5
	// DefaultLockout is long enough to make guessing hopeless, short enough that a
	// locked-out writer is back before the next bulletin is due.
	DefaultLockout = 15 * time.Minute
	// DefaultFailDelay slows every failed login down.
	DefaultFailDelay = time.Second
	// DefaultBcryptCost takes about 100 ms a hash on the council's server: slow for a
	// guesser, unnoticed at a login.
	DefaultBcryptCost = 11
	// DefaultMinPassword: a passphrase, since the second factor guards the rest.
	DefaultMinPassword = 12
	// DefaultTimeZone is Lleida's: staff type times as they read them on the wall.
	DefaultTimeZone = "Europe/Madrid"
	// DefaultIssuer is the name the authenticator app shows.
	DefaultIssuer = "Paeria pregoner"
	// DefaultShutdownGrace lets in-flight requests finish on shutdown.
	DefaultShutdownGrace = 10 * time.Second
)

// Config is the editor's configuration.
type Config struct {
	// Addr is where the HTTP server listens (EDITOR_ADDR).
	Addr string
	// WebBaseURL is the public page's base URL; a bulletin's permalink is
	// <WebBaseURL>/bulletins/<id> (WEB_BASE_URL).
	WebBaseURL string
	// Replicas of the editor's buckets and stream: 1 on one server, 3 on a cluster
	// (EDITOR_REPLICAS).
	Replicas int
	// SessionIdle and SessionMax end sessions (EDITOR_SESSION_IDLE, EDITOR_SESSION_MAX).
	SessionIdle, SessionMax time.Duration
	// MaxFailures failed logins in a row lock an account for Lockout
	// (EDITOR_MAX_FAILURES, EDITOR_LOCKOUT).
	MaxFailures int
	Lockout     time.Duration
	// FailDelay is added to each failed login (EDITOR_FAIL_DELAY).
	FailDelay time.Duration
	// BcryptCost of password hashes (EDITOR_BCRYPT_COST).
	BcryptCost int
	// MinPassword is the shortest password accepted (EDITOR_MIN_PASSWORD).
	MinPassword int
	// TimeZone staff type times in (EDITOR_TIME_ZONE).
	TimeZone string
	// Issuer is the account's label in authenticator apps (EDITOR_TOTP_ISSUER).
	Issuer string
	// ShutdownGrace bounds how long Run waits for requests on shutdown.
	ShutdownGrace time.Duration
}

// DefaultConfig is the configuration with every default.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, WebBaseURL: DefaultWebBaseURL, Replicas: 1,
		SessionIdle: DefaultSessionIdle, SessionMax: DefaultSessionMax, MaxFailures: DefaultMaxFailures,
		Lockout: DefaultLockout, FailDelay: DefaultFailDelay, BcryptCost: DefaultBcryptCost,
		MinPassword: DefaultMinPassword, TimeZone: DefaultTimeZone, Issuer: DefaultIssuer, ShutdownGrace: DefaultShutdownGrace}
}

// LoadConfig reads the configuration from the environment through getenv; unset
// variables keep their defaults. The result is validated.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	var errs []error
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = v
		}
	}
	num := func(name string, dst *int) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not a whole number", name, v))
				return
			}
			*dst = n
		}
	}
	dur := func(name string, dst *time.Duration) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not a duration (e.g. 30m, 12h)", name, v))
				return
			}
			*dst = d
		}
	}
	str("EDITOR_ADDR", &c.Addr)
	str("WEB_BASE_URL", &c.WebBaseURL)
	num("EDITOR_REPLICAS", &c.Replicas)
	dur("EDITOR_SESSION_IDLE", &c.SessionIdle)
	dur("EDITOR_SESSION_MAX", &c.SessionMax)
	num("EDITOR_MAX_FAILURES", &c.MaxFailures)
	dur("EDITOR_LOCKOUT", &c.Lockout)
	dur("EDITOR_FAIL_DELAY", &c.FailDelay)
	num("EDITOR_BCRYPT_COST", &c.BcryptCost)
	num("EDITOR_MIN_PASSWORD", &c.MinPassword)
	str("EDITOR_TIME_ZONE", &c.TimeZone)
	str("EDITOR_TOTP_ISSUER", &c.Issuer)
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, c.Validate()
}

// Validate checks the configuration and says what to change.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("EDITOR_ADDR %q: want host:port, e.g. %s", c.Addr, DefaultAddr))
	}
	if u, err := url.Parse(c.WebBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("WEB_BASE_URL %q: want an http(s) URL, e.g. %s", c.WebBaseURL, DefaultWebBaseURL))
	}
	if c.Replicas < 1 || c.Replicas > 5 {
		errs = append(errs, fmt.Errorf("EDITOR_REPLICAS %d: want 1 to 5", c.Replicas))
	}
	if c.SessionIdle <= 0 || c.SessionMax <= 0 || c.SessionIdle > c.SessionMax {
		errs = append(errs, fmt.Errorf("EDITOR_SESSION_IDLE %s / EDITOR_SESSION_MAX %s: want both positive, idle no longer than max", c.SessionIdle, c.SessionMax))
	}
	if c.MaxFailures < 1 || c.Lockout <= 0 {
		errs = append(errs, errors.New("EDITOR_MAX_FAILURES and EDITOR_LOCKOUT: want both positive"))
	}
	if c.FailDelay < 0 {
		errs = append(errs, errors.New("EDITOR_FAIL_DELAY: want zero or more"))
	}
	if c.BcryptCost < bcrypt.MinCost || c.BcryptCost > bcrypt.MaxCost {
		errs = append(errs, fmt.Errorf("EDITOR_BCRYPT_COST %d: want %d to %d", c.BcryptCost, bcrypt.MinCost, bcrypt.MaxCost))
	}
	if c.MinPassword < 8 {
		errs = append(errs, fmt.Errorf("EDITOR_MIN_PASSWORD %d: want at least 8", c.MinPassword))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("EDITOR_TIME_ZONE %q: %v", c.TimeZone, err))
	}
	if c.ShutdownGrace <= 0 {
		errs = append(errs, errors.New("shutdown grace: want positive"))
	}
	return errors.Join(errs...)
}
