// Package staff is the editor service: the staff's web UI and JSON API on one HTTP
// server, over accounts, sessions, drafts and the audit log kept on the bus, and the
// schedule runner that publishes scheduled bulletins when due. Spec is the one way to
// run it: "editor serve" and the hub both run Spec().Run.
package staff

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	_ "time/tzdata" // the time zone works on machines without a zoneinfo database

	"golang.org/x/crypto/bcrypt"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/forwarded"
	"github.com/paeria/pregoner/shared/settings"
)

// Defaults, and why.
const (
	// DefaultAddr is loopback: staff reach the editor through the council's proxy.
	DefaultAddr = "127.0.0.1:8080"
	// DefaultWebBaseURL is the hub's public page, for permalinks in previews.
	DefaultWebBaseURL = "http://127.0.0.1:8081"
	// DefaultSessionIdle: a desk left alone for half an hour needs a new login.
	DefaultSessionIdle = 30 * time.Minute
	// DefaultSessionMax: one working day, then log in again. A login token of the
	// command line lasts as long.
	DefaultSessionMax = 12 * time.Hour
	// DefaultFreeFailures in a row cost no wait: enough for typos and a slow phone.
	DefaultFreeFailures = 3
	// DefaultBackoff is the first wait after the free failures; it doubles with each
	// further one.
	DefaultBackoff = 2 * time.Second
	// DefaultBackoffMax caps the wait: with password and TOTP, one guess a minute is
	// hopeless for a guesser, and a member whose name is being guessed waits at most a
	// minute, never a locked quarter of an hour.
	DefaultBackoffMax = time.Minute
	// DefaultFailDelay is the least time a failed login takes, so every failure costs
	// the same, whatever failed.
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
	// DefaultTrustedProxies is loopback: the editor listens there because the council's
	// proxy, on the same machine, faces the staff (as the page's WEB_TRUSTED_PROXIES).
	DefaultTrustedProxies = "127.0.0.0/8,::1"
	// DefaultShutdownGrace lets in-flight requests finish on shutdown.
	DefaultShutdownGrace = 10 * time.Second
)

// Config is the editor's configuration. Settings says which variable sets each field.
type Config struct {
	Addr string
	// WebBaseURL is the public page's base URL; a bulletin's permalink is
	// <WebBaseURL>/bulletins/<id>.
	WebBaseURL string
	// Replicas of the editor's buckets and stream: the bus's NATS_REPLICAS, read with
	// the bus's own row, since it means the same for every service.
	Replicas                int
	SessionIdle, SessionMax time.Duration
	FreeFailures            int
	Backoff, BackoffMax     time.Duration
	FailDelay               time.Duration
	BcryptCost              int
	MinPassword             int
	TimeZone                string
	Issuer                  string
	// SecretKeyFile holds the keys that seal the TOTP secrets (accounts.Keyring): a
	// file of the editor's machine, never on the bus. Required; the hub writes one.
	SecretKeyFile string
	// TrustedProxies are the peers whose X-Forwarded-For names the member, for the
	// per-address login throttle and the audit log.
	// "none", or addresses and prefixes (forwarded.Parse).
	TrustedProxies string
	// ShutdownGrace bounds how long Run waits for requests on shutdown (not a setting).
	ShutdownGrace time.Duration
}

// DefaultConfig is the configuration with every default.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, WebBaseURL: DefaultWebBaseURL, Replicas: 1,
		SessionIdle: DefaultSessionIdle, SessionMax: DefaultSessionMax, FreeFailures: DefaultFreeFailures,
		Backoff: DefaultBackoff, BackoffMax: DefaultBackoffMax, FailDelay: DefaultFailDelay, BcryptCost: DefaultBcryptCost,
		MinPassword: DefaultMinPassword, TimeZone: DefaultTimeZone, Issuer: DefaultIssuer,
		ShutdownGrace: DefaultShutdownGrace, TrustedProxies: DefaultTrustedProxies}
}

// Settings is the editor's settings table: it drives LoadConfig, "editor serve --help"
// and the table in the README.
func (c *Config) Settings() settings.Table {
	return settings.Table{
		{Var: "EDITOR_ADDR", Default: DefaultAddr, Meaning: "where the UI and API listen (loopback: a proxy faces the staff)",
			Parse: settings.Addr(&c.Addr)},
		{Var: "EDITOR_WEB_BASE_URL", Default: DefaultWebBaseURL, Meaning: "the public page (its WEB_BASE_URL), for the permalinks in previews",
			Parse: settings.URL(&c.WebBaseURL)},
		{Var: "EDITOR_TIME_ZONE", Default: DefaultTimeZone, Meaning: "the zone staff type times in (schedule, live start)",
			Parse: zone(&c.TimeZone)},
		{Var: "EDITOR_SESSION_IDLE", Default: "30m", Meaning: "a session unused this long ends",
			Parse: settings.Duration(&c.SessionIdle, time.Minute, 24*time.Hour)},
		{Var: "EDITOR_SESSION_MAX", Default: "12h", Meaning: "a session, and the token of editor login, ends this long after login",
			Parse: settings.Duration(&c.SessionMax, time.Minute, 7*24*time.Hour)},
		{Var: "EDITOR_FREE_FAILURES", Default: strconv.Itoa(DefaultFreeFailures), Meaning: "failed logins in a row, of an account or from an address, before each new try must wait",
			Parse: settings.Int(&c.FreeFailures, 1, 100)},
		{Var: "EDITOR_FAIL_BACKOFF", Default: "2s", Meaning: "the first wait; it doubles with each further failure",
			Parse: settings.Duration(&c.Backoff, 0, time.Hour)},
		{Var: "EDITOR_FAIL_BACKOFF_MAX", Default: "1m", Meaning: "the longest wait: no account is ever locked for longer",
			Parse: settings.Duration(&c.BackoffMax, 0, time.Hour)},
		{Var: "EDITOR_FAIL_DELAY", Default: "1s", Meaning: "the least time a failed login takes to answer, whatever failed",
			Parse: settings.Duration(&c.FailDelay, 0, time.Minute)},
		{Var: "EDITOR_BCRYPT_COST", Default: strconv.Itoa(DefaultBcryptCost), Meaning: "bcrypt cost of password hashes",
			Parse: settings.Int(&c.BcryptCost, bcrypt.MinCost, bcrypt.MaxCost)},
		{Var: "EDITOR_MIN_PASSWORD", Default: strconv.Itoa(DefaultMinPassword), Meaning: "shortest password accepted",
			Parse: settings.Int(&c.MinPassword, 8, 72)}, // bcrypt reads 72 bytes at most
		{Var: "EDITOR_TOTP_ISSUER", Default: DefaultIssuer, Meaning: "the account's label in the authenticator app",
			Parse: settings.String(&c.Issuer)},
		{Var: "EDITOR_TRUSTED_PROXIES", Default: DefaultTrustedProxies, Meaning: "the proxies whose X-Forwarded-For names the member, so failed logins are counted per person, not per proxy: none, or addresses and prefixes separated by commas",
			Parse: trustedProxies(&c.TrustedProxies)},
		{Var: "EDITOR_SECRET_KEY_FILE", Required: true, Meaning: "file of the keys that seal the TOTP secrets (32 random bytes, raw or base64; the first line seals): never on the bus; the hub writes <data>/credentials/editor-totp.key; create one with editor keys init, rotate with editor keys rotate",
			Parse: keyFile(&c.SecretKeyFile)},
	}
}

// trustedProxies checks the list and keeps it as written.
func trustedProxies(dst *string) func(string) error {
	return func(v string) error {
		if _, err := forwarded.Parse(v); err != nil {
			return err
		}
		*dst = v
		return nil
	}
}

// zone checks a time zone and keeps its name (the UI and the desk load it).
func zone(dst *string) func(string) error {
	var loc *time.Location
	check := settings.Location(&loc)
	return func(v string) error {
		if err := check(v); err != nil {
			return err
		}
		*dst = v
		return nil
	}
}

// keyFile checks that the file at the path holds keys, and keeps the path: the service
// reads the file again when a rotation changes it.
func keyFile(dst *string) func(string) error {
	return func(v string) error {
		if v == "" {
			return errors.New("not set (want the file of the keys that seal the TOTP secrets)")
		}
		if _, err := accounts.ReadKeyFile(v); err != nil {
			return fmt.Errorf("%w (want 32 random bytes, raw or base64: editor keys init creates one)", err)
		}
		*dst = v
		return nil
	}
}

// renamed are variables the editor read before; set, they would be ignored in silence
// (a cluster's replicas falling to 1, say), so LoadConfig names their new name.
var renamed = map[string]string{
	"EDITOR_REPLICAS":     "NATS_REPLICAS",
	"EDITOR_MAX_FAILURES": "EDITOR_FREE_FAILURES",
	"EDITOR_LOCKOUT":      "EDITOR_FAIL_BACKOFF_MAX",
}

// retiredAuditCap was the editor's audit cap, which had to agree with the stream's:
// an operator's raised cap then kept the editor from starting. The cap is the stream's
// own now; set, the variable would be ignored in silence, so LoadConfig says where the
// cap is.
const retiredAuditCap = "EDITOR_AUDIT_MAX_BYTES"

var errAuditCap = errors.New(retiredAuditCap + ": no longer read (the audit log's cap is the AUDIT stream's own: " +
	"the set-up creates it with 1GiB and keeps what the operator sets with the admin key, nats stream edit AUDIT --max-bytes=...; the editor reads it)")

// LoadConfig reads the configuration through getenv: the editor's table, and the bus's
// NATS_REPLICAS. It reports every problem at once, each as "VAR: what is wrong (want
// what is right)".
func LoadConfig(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	var errs []error
	if err := c.Settings().Load(getenv); err != nil {
		errs = append(errs, err)
	}
	var conn bus.ConnConfig
	topo := bus.Topology{Replicas: 1}
	for _, s := range bus.Settings(&conn, &topo) {
		if s.Var == "NATS_REPLICAS" {
			if err := (settings.Table{s}).Load(getenv); err != nil {
				errs = append(errs, err)
			}
		}
	}
	c.Replicas = topo.Replicas
	for old, now := range renamed {
		if getenv(old) != "" {
			errs = append(errs, fmt.Errorf("%s: no longer read (want %s instead)", old, now))
		}
	}
	if getenv(retiredAuditCap) != "" {
		errs = append(errs, errAuditCap)
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, c.Validate()
}

// Validate checks what one setting alone cannot, and a Config built in code (tests),
// with the table's own checks and in the same words as LoadConfig.
func (c Config) Validate() error {
	var errs []error
	values := c.values()
	var scratch Config
	for _, s := range scratch.Settings() {
		if err := s.Parse(values[s.Var]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Var, err))
		}
	}
	if c.SessionIdle > c.SessionMax {
		errs = append(errs, fmt.Errorf("EDITOR_SESSION_IDLE: %s is longer than EDITOR_SESSION_MAX %s (want idle no longer than max)", c.SessionIdle, c.SessionMax))
	}
	if c.Replicas < 1 || c.Replicas > 5 {
		errs = append(errs, fmt.Errorf("NATS_REPLICAS: %d is out of range (want a whole number from 1 to 5)", c.Replicas))
	}
	if c.Backoff > c.BackoffMax {
		errs = append(errs, fmt.Errorf("EDITOR_FAIL_BACKOFF: %s is longer than EDITOR_FAIL_BACKOFF_MAX %s (want the first wait no longer than the longest)", c.Backoff, c.BackoffMax))
	}
	if c.ShutdownGrace <= 0 {
		errs = append(errs, errors.New("shutdown grace: not positive (want e.g. 10s)"))
	}
	return errors.Join(errs...)
}

// values is c as the settings table would read it.
func (c Config) values() map[string]string {
	return map[string]string{
		"EDITOR_ADDR": c.Addr, "EDITOR_WEB_BASE_URL": c.WebBaseURL, "EDITOR_TIME_ZONE": c.TimeZone,
		"EDITOR_SESSION_IDLE": c.SessionIdle.String(), "EDITOR_SESSION_MAX": c.SessionMax.String(),
		"EDITOR_FREE_FAILURES": strconv.Itoa(c.FreeFailures), "EDITOR_FAIL_BACKOFF": c.Backoff.String(),
		"EDITOR_FAIL_BACKOFF_MAX": c.BackoffMax.String(),
		"EDITOR_FAIL_DELAY":       c.FailDelay.String(), "EDITOR_BCRYPT_COST": strconv.Itoa(c.BcryptCost),
		"EDITOR_MIN_PASSWORD": strconv.Itoa(c.MinPassword), "EDITOR_TOTP_ISSUER": c.Issuer,
		"EDITOR_SECRET_KEY_FILE": c.SecretKeyFile,
	}
}
