package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
)

// TestSetupCreatesTheWholeLayoutAndIsIdempotent runs the command twice against a
// server, as a deployment's set-up step would on every upgrade, and finds every stream
// and bucket of bus.Layout.
func TestSetupCreatesTheWholeLayoutAndIsIdempotent(t *testing.T) {
	srv := natstest.Start(t)
	getenv := func(k string) string { return map[string]string{"NATS_URL": srv.URL()}[k] }
	for range 2 {
		var out bytes.Buffer
		if err := run(t.Context(), getenv, &out, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		for _, p := range bus.Layout(bus.Topology{}) {
			if !strings.Contains(out.String(), p.Name()) {
				t.Errorf("output does not list %s:\n%s", p.Name(), out.String())
			}
		}
	}
	conn, err := bus.Connect(t.Context(), bus.ConnConfig{URL: srv.URL(), Name: "check"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, user := range []string{bus.UserEditor, bus.UserTelegram, bus.UserYouTube, bus.UserWeb} {
		if err := bus.CheckLayout(t.Context(), conn.JS, user); err != nil {
			t.Errorf("%s: %v", user, err)
		}
	}
}

// TestSetupGivesUpWhenNoBusAnswers: with nothing listening it keeps trying until its
// time-out, then fails.
func TestSetupGivesUpWhenNoBusAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	getenv := func(k string) string { return map[string]string{"NATS_URL": "nats://" + addr}[k] }
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := run(ctx, getenv, &bytes.Buffer{}, 3*time.Second); err == nil || !strings.Contains(err.Error(), "attempts") {
		t.Fatalf("setup with no bus = %v, want it to give up", err)
	}
}
