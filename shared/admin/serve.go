package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/paeria/pregoner/shared/bus"
)

// shutdownGrace is how long open requests may finish once ctx ends.
const shutdownGrace = 5 * time.Second

// maxHeaderBytes: a scrape or a probe sends a few hundred bytes of headers; Go's
// default (1 MiB a connection) would let a stranger who reaches the address make the
// process hold far more than the page's readers ever do.
const maxHeaderBytes = 16 << 10

// Serve serves handler on addr until ctx ends, then shuts down gracefully. name labels
// logs and errors ("admin").
func Serve(ctx context.Context, name, addr string, handler http.Handler, log *slog.Logger) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: listen %s: %w", name, addr, err)
	}
	return serve(ctx, name, l, handler, log)
}

func serve(ctx context.Context, name string, l net.Listener, handler http.Handler, log *slog.Logger) error {
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: maxHeaderBytes,
		IdleTimeout: time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("listening", "service", name, "url", "http://"+l.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("%s: %w", name, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: shutdown: %w", name, err)
	}
	return nil
}

// StartAdmin is what a channel's own process (not the hub) runs for its operators: it
// serves /livez, /readyz and /metrics on addr until ctx ends — nothing when addr is
// empty — and returns the metrics the service reports to. Only the channel's own
// consumer is read, as its credentials allow no other; the editor's process shows its
// audit stream's size and cap instead.
func StartAdmin(ctx context.Context, addr string, conn *bus.Conn, channel string, log *slog.Logger) (*DeliveryMetrics, error) {
	reg := prometheus.NewRegistry()
	m := NewDeliveryMetrics(reg)
	if addr == "" {
		return m, nil
	}
	if channel == bus.UserEditor {
		RegisterAudit(reg, conn.JS) // the editor's own stream; its key may read its info
	} else {
		RegisterConsumers(reg, conn.JS, []string{channel})
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin: listen %s: %w", addr, err)
	}
	go func() {
		if err := serve(ctx, "admin", l, Handler(reg, BusReady(conn)), log); err != nil {
			log.Error("admin server stopped", "err", err)
		}
	}()
	return m, nil
}
