// Package site is the council's public COVID-19 page: the web delivery channel, the
// HTTP server that renders the feed (pages in Catalan and Spanish, permalinks, Atom and
// JSON Feed, live updates over Server-Sent Events), and the Service that runs them.
package site

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// shutdownGrace bounds how long in-flight page requests may finish at shutdown.
const shutdownGrace = 5 * time.Second

// maxHeaderBytes bounds a request's headers (Go's default is 1 MiB).
const maxHeaderBytes = 64 << 10

// Service runs the web channel's worker, the feed's follower and the page's server.
type Service struct {
	cfg      Config
	js       jetstream.JetStream
	log      *slog.Logger
	feed     *feed.Feed
	follower *feed.Follower
	store    *delivery.Store
	server   *Server
	addr     atomic.Pointer[string]
}

// NewService checks cfg and binds to the bus, which bus.Setup must have prepared.
func NewService(cfg Config, js jetstream.JetStream, log *slog.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("service", "web")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := feed.New()
	fl, err := feed.NewFollower(ctx, js, f, log)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	store, err := delivery.NewStore(ctx, js)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	srv, err := NewServer(cfg, f, log)
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, js: js, log: log, feed: f, follower: fl, store: store, server: srv}, nil
}

// Handler is the page's HTTP handler, for a server other than Run's own.
func (s *Service) Handler() http.Handler { return s.server.Handler() }

// Feed is the feed the page shows.
func (s *Service) Feed() *feed.Feed { return s.feed }

// Addr is the address Run listens on, once it does; "" before.
func (s *Service) Addr() string {
	if a := s.addr.Load(); a != nil {
		return *a
	}
	return ""
}

// Run serves the page on cfg.Addr and runs the feed's follower, the YouTube link
// watcher and the web channel's delivery worker until ctx ends; then it stops taking
// requests, lets those in flight finish (up to a few seconds), ends the live streams
// and returns nil. It returns an error when it cannot listen or a part fails for good.
func (s *Service) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", s.cfg.Addr, err)
	}
	addr := ln.Addr().String()
	s.addr.Store(&addr)
	s.log.Info("serving the public page", "addr", addr, "base_url", s.cfg.BaseURL)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A reader's request carries a few hundred bytes of headers: past maxHeaderBytes
	// it is refused (431) before it costs memory, as at the editor.
	hs := &http.Server{Handler: s.server.Handler(), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: maxHeaderBytes, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	hs.RegisterOnShutdown(s.server.Close)

	var wg sync.WaitGroup
	errs := make(chan error, 5)
	part := func(name string, run func() error) {
		wg.Go(func() {
			if err := run(); err != nil && ctx.Err() == nil {
				errs <- fmt.Errorf("web: %s: %w", name, err)
				cancel()
			}
		})
	}
	part("follow bulletins", func() error { return s.follower.Run(ctx) })
	part("follow alerts", func() error { return s.server.followAlerts(ctx, s.js) })
	part("watch youtube links", func() error { return feed.WatchLinks(ctx, s.store, s.feed, feed.DefaultRetry, s.log) })
	part("deliver", func() error {
		// Deliveries wait for the rebuild: the page serves nothing before it, so nothing
		// can be "delivered" yet, and the rebuild has the machine to itself.
		select {
		case <-s.feed.Ready():
		case <-ctx.Done():
			return nil
		}
		ch := NewChannel(s.follower, s.server)
		return delivery.Serve(ctx, s.js, s.cfg.Topology, delivery.Config{Channel: bulletin.Web, Logger: s.log, Observe: s.cfg.Observe}, ch, s.cfg.Workers)
	})
	part("serve http", func() error {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	<-ctx.Done()
	shutCtx, stop := context.WithTimeout(context.Background(), shutdownGrace)
	defer stop()
	if err := hs.Shutdown(shutCtx); err != nil {
		s.log.Warn("page shutdown cut short", "err", err)
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	s.log.Info("public page stopped")
	return errors.Join(all...)
}
