package poster_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/service"
)

// TestStandaloneWithoutCredentialsRefusesToStart: no token and no sandbox asked for is
// a refusal naming what to set, never a quiet sandbox — from the environment and from a
// Config built in code alike.
func TestStandaloneWithoutCredentialsRefusesToStart(t *testing.T) {
	reported := false
	err := poster.Spec().Run(t.Context(), service.Env{Getenv: getenv(nil),
		Sandbox: func(string, bool) { reported = true }})
	if err == nil {
		t.Fatal("started without a token or the sandbox")
	}
	for _, want := range []string{"TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN_FILE", "TELEGRAM_SANDBOX=1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not name %s: %v", want, err)
		}
	}
	if reported {
		t.Error("a refused service reported a channel to the metrics")
	}
	if _, err := poster.NewService(poster.Config{ChatID: chatCA}, nil, nil); err == nil || !strings.Contains(err.Error(), "TELEGRAM_SANDBOX=1") {
		t.Errorf("NewService without a token or the sandbox: err = %v", err)
	}
}

// TestSpecReportsTheSandboxAndRecordsCarryIt runs the service as service.Main and the
// hub do, once with the sandbox asked for and once with a token (against the test's
// sandbox, which the service cannot tell from Telegram): the metrics and every record
// say which, and only the sandbox warns.
func TestSpecReportsTheSandboxAndRecordsCarryIt(t *testing.T) {
	for _, tt := range []struct {
		name    string
		sandbox bool
	}{{"sandbox", true}, {"real", false}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Config{})
			vars := map[string]string{"WEB_BASE_URL": webBase, "TELEGRAM_REQUEST_TIMEOUT": "2s",
				"TELEGRAM_PER_CHAT_PER_MINUTE": "-1", "TELEGRAM_GLOBAL_PER_SECOND": "-1"}
			if tt.sandbox {
				vars["TELEGRAM_SANDBOX"], vars["TELEGRAM_SANDBOX_ADDR"] = "1", freeAddr(t)
			} else {
				vars["TELEGRAM_BOT_TOKEN"], vars["TELEGRAM_CHAT_ID"], vars["TELEGRAM_API_URL"] = testToken, chatCA, e.api.URL
			}
			var mu sync.Mutex
			reported := map[string]bool{}
			var outcomes []delivery.Outcome
			env := service.Env{JS: e.srv.Connect("telegram").JS, Getenv: getenv(vars),
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
			go func() { done <- poster.Spec().Run(ctx, env) }()

			e.publish("prova", "ca", "Avís de prova", "Text.")
			rec := e.wait("prova", 1, delivery.Delivered)
			e.publish("prova", "ca", "Avís de prova", "Text corregit.")
			hist := e.wait("prova", 2, delivery.Delivered)
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("run: %v", err)
			}
			for _, r := range []*delivery.Record{rec, hist} {
				if r.Ref.Sandbox != tt.sandbox {
					t.Errorf("record of rev %d: ref.sandbox = %v, want %v", r.Rev, r.Ref.Sandbox, tt.sandbox)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if on, ok := reported[bulletin.Telegram]; !ok || on != tt.sandbox {
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

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
