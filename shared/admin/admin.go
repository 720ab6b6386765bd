// Package admin gives every pregoner service what its operators watch: /livez, /readyz
// and Prometheus metrics on an admin address, in the names and shapes the council's IT
// team already reads elsewhere.
package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/paeria/pregoner/shared/bus"
)

// DefaultAdminAddr is where the hub serves /livez, /readyz and /metrics: loopback, since
// metrics are for the IT team's Prometheus, not for citizens.
const DefaultAdminAddr = "127.0.0.1:9090"

// Check is one readiness condition; nil means ready.
type Check func(ctx context.Context) error

// BusReady is ready when the connection is up and the bulletins stream answers.
func BusReady(conn *bus.Conn) Check {
	return func(ctx context.Context) error {
		if st := conn.NC.Status(); st != nats.CONNECTED {
			return fmt.Errorf("bus: %s", st)
		}
		if _, err := conn.JS.Stream(ctx, bus.StreamBulletins); err != nil {
			return fmt.Errorf("bus: stream %s: %w", bus.StreamBulletins, err)
		}
		return nil
	}
}

// Handler serves /livez (the process answers), /readyz (every check passes, each within
// two seconds) and /metrics (reg, plus Go and process collectors).
func Handler(reg *prometheus.Registry, checks ...Check) http.Handler {
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var errs []error
		for _, c := range checks {
			if err := c(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		if err := errors.Join(errs...); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}
