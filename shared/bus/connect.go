package bus

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultURL is where a service looks for NATS when NATS_URL is not set: the hub's
// embedded server.
const DefaultURL = "nats://127.0.0.1:4222"

// ConnConfig says how a service reaches the bus.
type ConnConfig struct {
	URL string
	// Name identifies the client in the server's monitoring, e.g. "telegram" or
	// "editor-cli".
	Name string
	// User is the bus user the key signs in as. Replies and push deliveries come to
	// _INBOX_<User>.>, the only inbox that user's permissions let it subscribe to, so no
	// user can listen to another's replies. Empty: Name up to its first "-" (editor-cli
	// signs in as editor); both empty: nats.go's shared _INBOX, for servers without
	// permissions (tests).
	User string
	// CredsFile is a NATS credentials file (JWT + nkey seed); empty for none.
	CredsFile string
	// NkeySeedFile is an nkey seed file; empty for none.
	NkeySeedFile string
	// CAFile is a PEM file of the certificate authority the servers' certificates must
	// chain to (deploy/nats/secrets/tls/ca.pem). Setting it requires TLS: a server that
	// does not offer it is refused, so a misrouted NATS_URL cannot downgrade the link.
	CAFile string
	// CertFile and KeyFile are a client certificate and its key, for servers that ask
	// for one; both or neither. The nkey stays the client's identity on the bus.
	CertFile, KeyFile string
	Logger            *slog.Logger
}

// Conn is a connection to the bus.
type Conn struct {
	NC *nats.Conn
	JS jetstream.JetStream
}

// Connect dials the bus and keeps reconnecting for as long as the process lives: a
// worker waits out a server restart instead of dying.
func Connect(ctx context.Context, cfg ConnConfig) (*Conn, error) {
	url := cfg.URL
	if url == "" {
		url = DefaultURL
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	user, err := cfg.user()
	if err != nil {
		return nil, err
	}
	opts := []nats.Option{
		nats.Name("pregoner-" + cfg.Name),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("bus disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info("bus reconnected", "server", nc.ConnectedUrlRedacted()) }),
		// Asynchronous errors — a permissions violation above all — go to the log, not
		// to stderr raw: with least-privilege credentials they say what was refused.
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			log.Error("bus error", "subject", subject, "err", err)
		}),
	}
	if user != "" {
		opts = append(opts, nats.CustomInboxPrefix(InboxPrefix(user)))
	}
	tlsOpts, err := cfg.tlsOptions()
	if err != nil {
		return nil, err
	}
	opts = append(opts, tlsOpts...)
	if cfg.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.CredsFile))
	}
	if cfg.NkeySeedFile != "" {
		o, err := nats.NkeyOptionFromSeed(cfg.NkeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("bus: nkey seed %s: %w", cfg.NkeySeedFile, err)
		}
		opts = append(opts, o)
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("bus: connect %s: %w", redact(url), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("bus: jetstream: %w", err)
	}
	if ctx.Err() != nil {
		nc.Close()
		return nil, ctx.Err()
	}
	return &Conn{NC: nc, JS: js}, nil
}

// tlsOptions trust cfg's CA and present its client certificate. nats.go reads the files
// when it dials, so a missing file is named in Connect's error.
func (cfg ConnConfig) tlsOptions() ([]nats.Option, error) {
	var opts []nats.Option
	if cfg.CAFile != "" {
		opts = append(opts, nats.RootCAs(cfg.CAFile))
	}
	switch {
	case cfg.CertFile != "" && cfg.KeyFile != "":
		opts = append(opts, nats.ClientCert(cfg.CertFile, cfg.KeyFile))
	case cfg.CertFile != "" || cfg.KeyFile != "":
		return nil, fmt.Errorf("bus: a client certificate needs both its file and its key file (NATS_CERT_FILE, NATS_KEY_FILE)")
	}
	return opts, nil
}

// InboxPrefix is where user's replies come: nats.go's requests, jetstream's API calls,
// ordered consumers and key-value watches all take their inboxes under it.
func InboxPrefix(user string) string { return "_INBOX_" + user }

// user is the bus user of cfg (see ConnConfig.User), checked to be one subject token.
func (cfg ConnConfig) user() (string, error) {
	user := cfg.User
	if user == "" {
		user, _, _ = strings.Cut(cfg.Name, "-")
	}
	if strings.ContainsAny(user, ".*> \t\r\n") {
		return "", fmt.Errorf("bus: user %q: not one subject token", user)
	}
	return user, nil
}

// closeFlushTimeout bounds how long Close waits for the server to have everything sent.
const closeFlushTimeout = 5 * time.Second

// Close flushes what is buffered — acks and hand-backs above all — and waits for the
// server to have it before closing. (Drain would return at once and flush in the
// background; an embedded server stopped right after would lose the last acks, and their
// revisions would wait out the ack wait before another worker took them.)
func (c *Conn) Close() {
	_ = c.NC.FlushTimeout(closeFlushTimeout)
	c.NC.Close()
}

var userinfoRE = regexp.MustCompile(`://[^@/,]*@`)

// redact drops user:password from a server URL (or a comma-separated list of them).
func redact(url string) string { return userinfoRE.ReplaceAllString(url, "://***@") }

// LoadConnConfig reads how a service reaches the bus from the environment through getenv
// (os.Getenv in main): NATS_URL (default DefaultURL; several servers comma-separated),
// NATS_CREDS (a credentials file), NATS_NKEY_SEED (the path of an nkey seed file),
// NATS_CA_FILE (the CA the servers' TLS certificates chain to) and NATS_CERT_FILE with
// NATS_KEY_FILE (a client certificate).
func LoadConnConfig(getenv func(string) string, name string) ConnConfig {
	return ConnConfig{
		URL:          getenv("NATS_URL"),
		Name:         name,
		CredsFile:    getenv("NATS_CREDS"),
		NkeySeedFile: getenv("NATS_NKEY_SEED"),
		CAFile:       getenv("NATS_CA_FILE"),
		CertFile:     getenv("NATS_CERT_FILE"),
		KeyFile:      getenv("NATS_KEY_FILE"),
	}
}
