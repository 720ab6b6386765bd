package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/shared/admin"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// runner is what the hub runs: anything that works until ctx ends, then stops cleanly.
type runner interface {
	Run(ctx context.Context) error
}

// hub is the running process: the embedded server, the admin connection (setup, metrics,
// readiness) and each service's own connection.
type hub struct {
	cfg   Config
	log   *slog.Logger
	srv   *bus.Embedded
	admin *bus.Conn
	conns []*bus.Conn
	// unlock releases the data directory (lockDataDir) once the server is down.
	unlock func()
}

// listenable says at once when the NATS address is taken (another hub, another NATS),
// instead of the embedded server's half-minute wait for a port it never gets.
func listenable(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("-nats-listen %s: %w (is another hub or NATS server running?)", addr, err)
	}
	return l.Close()
}

// run starts the embedded server and every service, and stops them in order when ctx
// ends: services first (they finish or hand back in-flight deliveries), then the
// connection is drained, then the server closes its store.
func run(ctx context.Context, cfg Config, logOut io.Writer) error {
	log := newLogger(cfg, logOut)
	h, err := start(ctx, cfg, log)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting: not a failure
		}
		return err
	}
	defer h.stop()
	services, err := h.services(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	log.Info("hub ready", "nats", h.srv.URL(), "data", cfg.DataDir)
	log.Info("no account yet? the editor's \"first run: open ...\" line, just after it starts, has the one-time link that creates the first administrator in the browser (or: go run ./services/editor user add NAME --role admin)")
	log.Info("publish a bulletin: go run ./services/editor login NAME, then go run ./services/editor publish content/<file>.md")
	return runAll(ctx, services)
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func start(ctx context.Context, cfg Config, log *slog.Logger) (*hub, error) {
	host, port, err := cfg.natsHostPort()
	if err != nil {
		return nil, err
	}
	unlock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if err := listenable(cfg.NATSListen); err != nil {
		unlock()
		return nil, err
	}
	started := false
	defer func() {
		if !started {
			unlock()
		}
	}()
	// One key per service, each with the permissions it has on the cluster (bus.Grants),
	// so a service in the hub can do no more than in production; admin sets the bus up.
	users := map[string]string{}
	for _, user := range hubUsers() {
		if users[user], err = bus.EnsureNkey(cfg.SeedFile(user)); err != nil {
			return nil, err
		}
	}
	// The keys that seal the editor's TOTP secrets stay off the bus, beside the nkeys.
	if err := accounts.EnsureKeyFile(cfg.editorSecretKey()); err != nil {
		return nil, err
	}
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Host: host, Port: port, StoreDir: cfg.DataDir, Logger: log,
		Users: users})
	if err != nil {
		return nil, err
	}
	log.Info("the bus admits only holders of the keys in "+filepath.Dir(cfg.EditorSeed()),
		"cli", "NATS_NKEY_SEED="+cfg.SeedFile(bus.UserCLI))
	h := &hub{cfg: cfg, log: log, srv: srv, unlock: unlock}
	started = true // h.stop releases the lock from here on
	if h.admin, err = h.connect(ctx, bus.UserAdmin); err != nil {
		h.stop()
		return nil, err
	}
	// The one-shot set-up, with the admin connection: every stream and bucket of the
	// system (bus.Layout). The services' keys may not create or change one; they bind.
	if err := bus.Setup(ctx, h.admin.JS, bus.Topology{}); err != nil {
		h.stop()
		return nil, err
	}
	return h, nil
}

// hubUsers are the bus users the hub makes keys for: admin, one per service, and cli,
// the editor command line's, which may only ask the editor to act (bus.EditorRequests).
func hubUsers() []string {
	return []string{bus.UserAdmin, bus.UserEditor, bus.UserTelegram, bus.UserYouTube, bus.UserWeb, bus.UserCLI}
}

// connect signs in to the embedded server as user, with its key; stop closes it.
func (h *hub) connect(ctx context.Context, user string) (*bus.Conn, error) {
	conn, err := bus.Connect(ctx, bus.ConnConfig{URL: h.srv.URL(), Name: user, Logger: h.log,
		NkeySeedFile: h.cfg.SeedFile(user)})
	if err != nil {
		return nil, fmt.Errorf("hub: %s: %w", user, err)
	}
	h.conns = append(h.conns, conn)
	return conn, nil
}

// stop closes the connections, services' first (their last acks flushed), then the server.
func (h *hub) stop() {
	for _, c := range slices.Backward(h.conns) {
		c.Close()
	}
	h.srv.Shutdown()
	h.unlock()
	h.log.Info("hub stopped; store closed cleanly")
}

// services builds every service that runs in the hub.
func (h *hub) services(ctx context.Context) ([]runner, error) {
	reg := prometheus.NewRegistry()
	services, err := newServices(ctx, h.cfg, h.connect, h.log, admin.NewDeliveryMetrics(reg))
	if err != nil {
		return nil, err
	}
	admin.RegisterConsumers(reg, h.admin.JS, bulletin.KnownChannels)
	admin.RegisterAudit(reg, h.admin.JS)
	if h.cfg.AdminAddr != "" {
		services = append(services, &httpService{name: "admin", addr: h.cfg.AdminAddr, log: h.log,
			handler: admin.Handler(reg, admin.BusReady(h.admin))})
	}
	return services, nil
}

// runAll runs the services until ctx ends or one of them fails; a failure stops the rest.
func runAll(ctx context.Context, services []runner) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(services))
	for i, s := range services {
		wg.Go(func() {
			err := s.Run(ctx)
			if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
				err = nil // cut short by the stop, while starting up
			}
			if err != nil {
				errs[i] = err
				cancel()
			}
		})
	}
	<-ctx.Done()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("service failed: %w", err)
	}
	return nil
}
