package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/testenv"
)

// TestSmallCrowdIsNotifiedAndCounted runs the tool in-process with 50 readers: every
// one must connect, be notified and see the bulletin on its page, and the report must
// say so. No timing is asserted: the machine's load decides those.
func TestSmallCrowdIsNotifiedAndCounted(t *testing.T) {
	var logs testenv.Logs
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg := DefaultConfig()
	cfg.Readers, cfg.Ramp, cfg.PerSource, cfg.Seed = 50, 200*time.Millisecond, 20, 3 // three source addresses
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg, log)
	if err != nil {
		t.Fatalf("run: %v\nlog:\n%s", err, logs.String())
	}
	if rep.Connected != 50 || rep.RefusedFull+rep.RefusedPerAddr+rep.Failed != 0 {
		t.Fatalf("connected %d, refused %d+%d, failed %d (%v); want 50 connected", rep.Connected, rep.RefusedFull, rep.RefusedPerAddr, rep.Failed, rep.Errors)
	}
	if rep.Sources != 3 {
		t.Errorf("spread over %d source addresses, want 3", rep.Sources)
	}
	if rep.Notified.Count != 50 || rep.Updated.Count != 50 || rep.Dropped != 0 {
		t.Errorf("notified %d, page updated %d, dropped %d; want 50, 50, 0", rep.Notified.Count, rep.Updated.Count, rep.Dropped)
	}
	if rep.ProbeConnect.Count+rep.ProbeFanout.Count == 0 {
		t.Error("/ was never probed")
	}
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"connected     50 ", "notified      50/50", "page updated  50/50"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	if !strings.Contains(js.String(), `"connected": 50`) {
		t.Errorf("JSON report lacks the count:\n%s", js.String())
	}
}

// TestOnlyLoopbackTargets keeps the tool off every other address.
func TestOnlyLoopbackTargets(t *testing.T) {
	for _, u := range []string{"http://10.0.0.1:8081", "http://example.org", "https://127.0.0.1:8081", "http://127.0.0.1:8081/x"} {
		cfg := DefaultConfig()
		cfg.URL = u
		if err := cfg.Validate(); err == nil {
			t.Errorf("-url %s accepted", u)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8081", "http://[::1]:8081", "http://localhost:8081/"} {
		cfg := DefaultConfig()
		cfg.URL = u
		if err := cfg.Validate(); err != nil {
			t.Errorf("-url %s refused: %v", u, err)
		}
	}
	cfg := DefaultConfig()
	cfg.URL, cfg.NATSURL = "http://127.0.0.1:8081", "nats://192.168.1.2:4222"
	if err := cfg.Validate(); err == nil {
		t.Error("-nats off loopback accepted")
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"--help"}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "-readers") {
		t.Fatalf("--help: code %d, output %q", code, errb.String())
	}
	if code := run(t.Context(), []string{"-readers", "0"}, &out, &errb); code != 2 {
		t.Fatalf("-readers 0: code %d, want 2", code)
	}
}
