package live_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/service"
)

// TestStandaloneWithoutCredentialsRefusesToStart: no credentials and no sandbox asked
// for is a refusal naming what to set, never a quiet sandbox — from the environment and
// from a Config built in code alike.
func TestStandaloneWithoutCredentialsRefusesToStart(t *testing.T) {
	reported := false
	err := live.Spec().Run(t.Context(), service.Env{Getenv: func(string) string { return "" },
		Sandbox: func(string, bool) { reported = true }})
	if err == nil {
		t.Fatal("started without credentials or the sandbox")
	}
	for _, want := range []string{"YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN", "_FILE", "YOUTUBE_SANDBOX=1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not name %s: %v", want, err)
		}
	}
	if reported {
		t.Error("a refused service reported a channel to the metrics")
	}
	if _, err := live.NewService(live.Config{}, nil, nil); err == nil || !strings.Contains(err.Error(), "YOUTUBE_SANDBOX=1") {
		t.Errorf("NewService without credentials or the sandbox: err = %v", err)
	}
}

// TestSpecReportsTheSandboxAndRecordsCarryIt runs the service as service.Main and the
// hub do, once with the sandbox asked for and once with credentials (against the
// test's sandbox, which the service cannot tell from YouTube): the metrics and every
// record say which, and only the sandbox warns.
func TestSpecReportsTheSandboxAndRecordsCarryIt(t *testing.T) {
	for _, tt := range []struct {
		name    string
		sandbox bool
	}{{"sandbox", true}, {"real", false}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			vars := map[string]string{"WEB_BASE_URL": webBase, "YOUTUBE_MIN_BACKOFF": "50ms", "YOUTUBE_ACK_WAIT": "2s"}
			if tt.sandbox {
				vars["YOUTUBE_SANDBOX"], vars["YOUTUBE_SANDBOX_ADDR"] = "1", "127.0.0.1:0"
			} else {
				vars["YOUTUBE_CLIENT_ID"], vars["YOUTUBE_CLIENT_SECRET"], vars["YOUTUBE_REFRESH_TOKEN"] = clientID, clientSecret, refreshToken
				vars["YOUTUBE_API_URL"], vars["YOUTUBE_TOKEN_URL"] = e.api.URL+"/", e.api.URL+"/token"
			}
			var mu sync.Mutex
			reported := map[string]bool{}
			var outcomes []delivery.Outcome
			env := service.Env{JS: e.nats.Connect("youtube").JS, Getenv: func(k string) string { return vars[k] },
				Log: slog.New(slog.NewTextHandler(e.logs, nil)),
				Sandbox: func(ch string, on bool) {
					mu.Lock()
					defer mu.Unlock()
					reported[ch] = on
				},
				Observe: func(o delivery.Outcome) {
					mu.Lock()
					defer mu.Unlock()
					outcomes = append(outcomes, o)
				}}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- live.Spec().Run(ctx, env) }()

			// The service runs on the wall clock: the broadcast is two days from now.
			b := e.announcement("roda", "Roda de premsa", "Preguntes a premsa@paeria.cat.")
			b.Live.Start = time.Now().Add(48 * time.Hour)
			e.publish(b)
			first := e.waitState("roda", 1, delivery.Delivered)
			b.Live.Title = "Roda de premsa del paer en cap"
			e.publish(b)
			second := e.waitState("roda", 2, delivery.Delivered)
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("run: %v", err)
			}
			for _, r := range []*delivery.Record{first, second} {
				if r.Ref.Sandbox != tt.sandbox {
					t.Errorf("record of rev %d: ref.sandbox = %v, want %v", r.Rev, r.Ref.Sandbox, tt.sandbox)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if on, ok := reported[bulletin.YouTube]; !ok || on != tt.sandbox {
				t.Errorf("reported sandbox = %v (reported: %v), want %v", on, ok, tt.sandbox)
			}
			if len(outcomes) == 0 {
				t.Error("no outcome reached env.Observe")
			}
			if warned := strings.Contains(e.logs.String(), "SANDBOX: nothing reaches the real channel"); warned != tt.sandbox {
				t.Errorf("sandbox warning logged = %v, want %v:\n%s", warned, tt.sandbox, e.logs.String())
			}
		})
	}
}
