package bus_test

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
)

func TestKeepOperatorLimits(t *testing.T) {
	want := jetstream.StreamConfig{Name: bus.StreamAudit, MaxBytes: bus.AuditMaxBytes, MaxAge: bus.AuditMaxAge, Discard: jetstream.DiscardOld}
	for _, tc := range []struct {
		name      string
		have, got int64
	}{
		{"raised", 4 << 30, 4 << 30},
		{"lowered_by_the_operator", 256 << 20, 256 << 20},
		{"no_cap", -1, -1},
		{"the_default", bus.AuditMaxBytes, bus.AuditMaxBytes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			have := want
			have.MaxBytes, have.MaxAge = tc.have, 0 // an old age limit is the layout's to fix
			got := bus.KeepOperatorLimits(want, have)
			if got.MaxBytes != tc.got || got.MaxAge != bus.AuditMaxAge || got.Discard != jetstream.DiscardOld {
				t.Errorf("max bytes %d, age %v, discard %v; want %d, the layout's age and discard", got.MaxBytes, got.MaxAge, got.Discard, tc.got)
			}
		})
	}
}

// The set-up creates the audit stream with the default cap; an operator's raised cap
// survives the next set-up (the hub runs one at every start).
func TestSetupKeepsARaisedAuditCap(t *testing.T) {
	ctx := context.Background()
	conn := natstest.Start(t).Connect("admin") // runs Setup
	capOf := func() int64 {
		t.Helper()
		s, err := conn.JS.Stream(ctx, bus.StreamAudit)
		if err != nil {
			t.Fatal(err)
		}
		return s.CachedInfo().Config.MaxBytes
	}
	if got := capOf(); got != bus.AuditMaxBytes {
		t.Fatalf("new stream's cap %d, want %d", got, int64(bus.AuditMaxBytes))
	}
	s, _ := conn.JS.Stream(ctx, bus.StreamAudit)
	cfg := s.CachedInfo().Config
	cfg.MaxBytes = 4 << 30 // the operator: nats stream edit AUDIT --max-bytes=4GiB
	if _, err := conn.JS.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := bus.Setup(ctx, conn.JS, bus.Topology{}); err != nil {
			t.Fatal(err)
		}
		if got := capOf(); got != 4<<30 {
			t.Fatalf("after the set-up the cap is %d, want the operator's %d", got, int64(4<<30))
		}
	}
}
