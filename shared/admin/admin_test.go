package admin_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/paeria/pregoner/shared/admin"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

type flaky struct{ calls int }

type apiErr struct{ code string }

func (e apiErr) Error() string { return "api said " + e.code }
func (e apiErr) Code() string  { return e.code }

func (f *flaky) Deliver(context.Context, delivery.Job) (delivery.Ref, error) {
	f.calls++
	if f.calls == 1 {
		return delivery.Ref{}, delivery.Temporary(apiErr{"429"}, 50*time.Millisecond)
	}
	return delivery.Ref{}, nil
}
func (f *flaky) Update(ctx context.Context, j delivery.Job) (delivery.Ref, error) {
	return f.Deliver(ctx, j)
}
func (f *flaky) Retract(context.Context, delivery.Job) error { return nil }

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestMetricsAndHealth(t *testing.T) {
	nats := natstest.Start(t)
	conn := nats.Connect("ops")
	reg := prometheus.NewRegistry()
	m := admin.NewDeliveryMetrics(reg)
	admin.RegisterConsumers(reg, conn.JS, []string{bulletin.Telegram})
	admin := httptest.NewServer(admin.Handler(reg, admin.BusReady(conn)))
	defer admin.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := delivery.Config{Channel: bulletin.Telegram, Observe: m.Observe, MinBackoff: 10 * time.Millisecond, Poll: 50 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- delivery.Serve(ctx, conn.JS, bus.Topology{}, cfg, &flaky{}, 1) }()

	pub, _ := bus.NewBulletins(ctx, conn.JS)
	b := &bulletin.Bulletin{ID: "m", Title: "M", Lang: "ca", Group: "m", Channels: []string{"telegram"}, Body: "x"}
	if _, err := pub.Publish(ctx, b, "t"); err != nil {
		t.Fatal(err)
	}
	wants := []string{
		`pregoner_deliveries_total{channel="telegram",state="delivered"} 1`,
		`pregoner_deliveries_total{channel="telegram",state="failed"} 1`,
		`pregoner_channel_api_errors_total{channel="telegram",code="429"} 1`,
		`pregoner_channel_rate_limited_total{channel="telegram"} 1`,
		`pregoner_consumer_pending{channel="telegram"} 0`,
		`pregoner_delivery_latency_seconds_count{channel="telegram"} 1`,
	}
	natstest.WaitFor(t, 10*time.Second, "metrics after one delivery", func() bool {
		_, body := get(t, admin, "/metrics")
		for _, w := range wants {
			if !strings.Contains(body, w) {
				return false
			}
		}
		return true
	})
	if code, body := get(t, admin, "/livez"); code != 200 || body != "ok\n" {
		t.Errorf("/livez = %d %q", code, body)
	}
	if code, _ := get(t, admin, "/readyz"); code != 200 {
		t.Errorf("/readyz = %d with the bus up", code)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("serve: %v", err)
	}
	nats.Stop()
	natstest.WaitFor(t, 10*time.Second, "/readyz to fail without the bus", func() bool {
		code, body := get(t, admin, "/readyz")
		return code == 503 && strings.Contains(body, "not ready: bus:")
	})
}
