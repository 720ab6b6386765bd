package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/paeria/pregoner/shared/admin"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// runner is what the hub runs: anything that works until ctx ends, then stops cleanly.
type runner interface {
	Run(ctx context.Context) error
}

// hub is the running process: the embedded server, one connection, the services.
type hub struct {
	cfg  Config
	log  *slog.Logger
	srv  *bus.Embedded
	conn *bus.Conn
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
	hubKey, err := bus.EnsureNkey(cfg.hubSeed())
	if err != nil {
		return nil, err
	}
	editorKey, err := bus.EnsureNkey(cfg.EditorSeed())
	if err != nil {
		return nil, err
	}
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Host: host, Port: port, StoreDir: cfg.DataDir, Logger: log,
		Nkeys: []string{hubKey, editorKey}})
	if err != nil {
		return nil, err
	}
	log.Info("the bus admits only holders of the keys in "+filepath.Dir(cfg.EditorSeed()),
		"cli", "NATS_NKEY_SEED="+cfg.EditorSeed())
	conn, err := bus.Connect(ctx, bus.ConnConfig{URL: srv.URL(), Name: "hub", Logger: log, NkeySeedFile: cfg.hubSeed()})
	if err != nil {
		srv.Shutdown()
		return nil, err
	}
	if err := bus.Setup(ctx, conn.JS, bus.Topology{}); err != nil {
		conn.Close()
		srv.Shutdown()
		return nil, err
	}
	return &hub{cfg: cfg, log: log, srv: srv, conn: conn}, nil
}

func (h *hub) stop() {
	h.conn.Close()
	h.srv.Shutdown()
	h.log.Info("hub stopped; store closed cleanly")
}

// services builds every service that runs in the hub.
func (h *hub) services(ctx context.Context) ([]runner, error) {
	reg := prometheus.NewRegistry()
	services := newServices(h.cfg, h.conn.JS, h.log, admin.NewDeliveryMetrics(reg))
	admin.RegisterConsumers(reg, h.conn.JS, bulletin.KnownChannels)
	if h.cfg.AdminAddr != "" {
		services = append(services, &httpService{name: "admin", addr: h.cfg.AdminAddr, log: h.log,
			handler: admin.Handler(reg, admin.BusReady(h.conn))})
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
