package bus

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedConfig configures a NATS server run inside the process.
type EmbeddedConfig struct {
	// Host and Port to listen on. Port -1 picks a free port (tests); 0 means 4222.
	Host string
	Port int
	// StoreDir is where JetStream keeps its files.
	StoreDir string
	// RelaxedSync lets the server batch fsyncs (every two minutes, NATS's default).
	// The default, false, fsyncs every write before acknowledging it, so an acknowledged
	// bulletin survives a power cut (Jepsen, NATS 2.12.1). Only benchmarks turn it on.
	RelaxedSync bool
	// Users maps each bus user allowed to connect (UserAdmin, UserEditor …) to its public
	// nkey (see EnsureNkey). Each gets ServerPermissions(user): the very sets the cluster's
	// accounts.conf gives it. None means anyone who reaches the port may do anything (tests).
	Users map[string]string
	// Logger receives the server's log lines; nil keeps the server quiet.
	Logger *slog.Logger
}

// Embedded is a running in-process NATS server with JetStream.
type Embedded struct {
	srv *server.Server
}

// StartEmbedded starts the server and waits until it accepts connections.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	opts := &server.Options{
		ServerName:         "pregoner",
		Host:               cfg.Host,
		Port:               cfg.Port,
		JetStream:          true,
		StoreDir:           cfg.StoreDir,
		SyncAlways:         !cfg.RelaxedSync,
		NoSigs:             true,
		MaxPayload:         4 << 20,
		JetStreamMaxMemory: 256 << 20,
	}
	for _, user := range slices.Sorted(maps.Keys(cfg.Users)) {
		perms, err := ServerPermissions(user)
		if err != nil {
			return nil, fmt.Errorf("embedded nats: %w", err)
		}
		opts.Nkeys = append(opts.Nkeys, &server.NkeyUser{Nkey: cfg.Users[user], Permissions: perms})
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if !cfg.RelaxedSync {
		opts.SyncInterval = 2 * time.Minute // ignored with SyncAlways, set so it is not overwritten
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	if cfg.Logger != nil {
		srv.SetLoggerV2(&slogAdapter{l: cfg.Logger.With("component", "nats")}, false, false, false)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("embedded nats: not ready on %s:%d after 30s (port in use?)", opts.Host, opts.Port)
	}
	return &Embedded{srv: srv}, nil
}

// URL is the client URL of the server, e.g. nats://127.0.0.1:4222.
func (e *Embedded) URL() string { return e.srv.ClientURL() }

// Shutdown stops the server and flushes its store. It is safe to call twice.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

type slogAdapter struct{ l *slog.Logger }

func (a *slogAdapter) Noticef(f string, v ...any) { a.l.Debug(fmt.Sprintf(f, v...)) }
func (a *slogAdapter) Warnf(f string, v ...any)   { a.l.Warn(fmt.Sprintf(f, v...)) }
func (a *slogAdapter) Fatalf(f string, v ...any)  { a.l.Error(fmt.Sprintf(f, v...)) }
func (a *slogAdapter) Errorf(f string, v ...any)  { a.l.Error(fmt.Sprintf(f, v...)) }
func (a *slogAdapter) Debugf(f string, v ...any)  { a.l.Debug(fmt.Sprintf(f, v...)) }
func (a *slogAdapter) Tracef(f string, v ...any)  { a.l.Debug(fmt.Sprintf(f, v...)) }
