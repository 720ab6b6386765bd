package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// The probe asks a real nats-server's monitoring endpoint: healthy with JetStream, and
// refused paths and a node that is away fail with the reason.
func TestProbeAsksTheNodesHealthz(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, HTTPHost: "127.0.0.1", HTTPPort: -1,
		JetStream: true, StoreDir: t.TempDir(), NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	base := fmt.Sprintf("http://%s", srv.MonitorAddr())
	for _, tc := range []struct{ name, base, path, wantErr string }{
		{"healthz", base, "/healthz", ""},
		{"js_enabled_only", base, "/healthz?js-enabled-only=true", ""},
		{"another_endpoint", base, "/connz", `path "/connz": want /healthz`},
		{"node_away", "http://127.0.0.1:1", "/healthz", "ask /healthz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var err error
			// A starting node may answer 503 for a moment: wait for the answer, not a time.
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				err = probe(ctx, http.DefaultClient, tc.base, tc.path)
				if tc.wantErr != "" || err == nil || time.Now().After(deadline) {
					break
				}
			}
			if tc.wantErr == "" && err != nil {
				t.Fatalf("healthy node: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
