package admin_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/paeria/pregoner/shared/admin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
)

// auditGauges gathers reg and returns the audit gauges found, by name.
func auditGauges(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		switch mf.GetName() {
		case "pregoner_audit_bytes", "pregoner_audit_max_bytes":
			got[mf.GetName()] = mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	return got
}

func TestAuditGaugesFollowTheStream(t *testing.T) {
	nats := natstest.Start(t)
	conn := nats.Connect("admin") // sets up the layout: AUDIT capped at bus.AuditMaxBytes
	reg := prometheus.NewRegistry()
	admin.RegisterAudit(reg, conn.JS)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	stream := func() *jetstream.StreamInfo {
		t.Helper()
		s, err := conn.JS.Stream(ctx, bus.StreamAudit)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	check := func(what string, bytes, maxBytes float64) {
		t.Helper()
		got := auditGauges(t, reg)
		if len(got) != 2 || got["pregoner_audit_bytes"] != bytes || got["pregoner_audit_max_bytes"] != maxBytes {
			t.Fatalf("%s: gauges %v, want bytes %v and max_bytes %v", what, got, bytes, maxBytes)
		}
	}

	check("empty stream", 0, bus.AuditMaxBytes)

	for i := range 5 {
		if _, err := conn.JS.Publish(ctx, bus.SubjectAudit+".login", []byte(`{"n":`+string(rune('0'+i))+`}`)); err != nil {
			t.Fatal(err)
		}
	}
	info := stream()
	if info.State.Msgs != 5 || info.State.Bytes == 0 {
		t.Fatalf("stream state %+v after 5 events", info.State)
	}
	check("after 5 events", float64(info.State.Bytes), bus.AuditMaxBytes)

	// A smaller cap, as an operator sets it with the admin key, shows at the next scrape.
	cfg := info.Config
	cfg.MaxBytes = 64 << 10
	if _, err := conn.JS.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	check("after lowering the cap", float64(stream().State.Bytes), 64<<10)

	// No cap: max_bytes is 0 (the alert's "> 0" guard keeps it quiet).
	cfg.MaxBytes = -1
	if _, err := conn.JS.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	check("without a cap", float64(stream().State.Bytes), 0)

	if err := conn.JS.DeleteStream(ctx, bus.StreamAudit); err != nil {
		t.Fatal(err)
	}
	if got := auditGauges(t, reg); len(got) != 0 {
		t.Fatalf("gauges %v without the stream, want none", got)
	}
}
