package live_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestTheSandboxAskedForServesAndShowsTheBroadcasts(t *testing.T) {
	e := newEnv(t)
	cfg, err := live.LoadConfig(func(k string) string {
		return map[string]string{"YOUTUBE_SANDBOX": "1", "YOUTUBE_SANDBOX_ADDR": "127.0.0.1:0", "WEB_BASE_URL": webBase}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Now = e.clock.Now
	svc, stop, _ := e.worker(cfg)
	base := svc.SandboxURL()

	e.publish(e.announcement("roda", "Roda de premsa & preguntes", "Envieu preguntes a premsa@paeria.cat."))
	rec := e.waitState("roda", 1, delivery.Delivered)
	if !strings.HasPrefix(rec.Ref.URL, base+"/watch?v=") || !rec.Ref.Sandbox {
		t.Errorf("ref %+v does not lead to the sandbox at %s, marked sandbox", rec.Ref, base)
	}
	code, page := get(t, base+"/")
	if code != http.StatusOK || !strings.Contains(page, "Roda de premsa &amp; preguntes") {
		t.Errorf("sandbox page (%d) does not list the broadcast:\n%s", code, page)
	}
	if code, watch := get(t, rec.Ref.URL); code != http.StatusOK || !strings.Contains(watch, "premsa@paeria.cat") {
		t.Errorf("watch page (%d) does not show the broadcast:\n%s", code, watch)
	}
	stop()
	if resp, err := http.Get(base + "/"); err == nil {
		resp.Body.Close()
		t.Error("sandbox still serving after Run returned")
	}
}

func TestSecretsNeverReachLogsOrRecords(t *testing.T) {
	e := newEnv(t)
	_, stop, _ := e.worker(e.config(nil))
	e.publish(e.announcement("ok", "Tot bé", "Correcte."))
	e.waitState("ok", 1, delivery.Delivered)
	stop()

	const revoked = "1//0revoked-refresh-token-value"
	e.worker(e.config(map[string]string{"YOUTUBE_REFRESH_TOKEN": revoked}))
	e.publish(e.announcement("revocat", "Credencials revocades", "No arribarà."))
	rec := e.waitState("revocat", 1, delivery.Dead)
	if !strings.Contains(rec.Error, "invalid_grant") || !strings.Contains(rec.Error, "docs/refresh-token.md") {
		t.Errorf("dead record %q should name the refused grant and where to renew it", rec.Error)
	}

	var seen strings.Builder
	seen.WriteString(e.logs.String())
	for _, id := range []string{"ok", "revocat"} {
		hist, err := e.store.History(t.Context(), id, bulletin.YouTube)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(hist)
		seen.Write(data)
	}
	for _, secret := range []string{clientSecret, refreshToken, revoked, "ya29."} {
		if strings.Contains(seen.String(), secret) {
			t.Errorf("secret %q found in logs or records", secret)
		}
	}
	if !strings.Contains(e.logs.String(), "[redacted]") {
		t.Error("the configuration is not logged with its secrets redacted")
	}
}

func TestConfigPrintsWithoutSecrets(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(nil)
	var buf strings.Builder
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", cfg)
	for _, out := range []string{buf.String(), cfg.String()} {
		if strings.Contains(out, clientSecret) || strings.Contains(out, refreshToken) {
			t.Errorf("config shows a secret: %s", out)
		}
		if !strings.Contains(out, clientID) {
			t.Errorf("config hides the client id, which staff need to check: %s", out)
		}
	}
}

func TestBusySandboxPortIsReportedAtStart(t *testing.T) {
	e := newEnv(t)
	taken := strings.TrimPrefix(e.api.URL, "http://")
	cfg, err := live.LoadConfig(func(k string) string {
		return map[string]string{"YOUTUBE_SANDBOX": "1", "YOUTUBE_SANDBOX_ADDR": taken}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	conn := e.nats.Connect("youtube")
	if _, err := live.NewService(cfg, conn.JS, nil); err == nil || !strings.Contains(err.Error(), "sandbox") {
		t.Errorf("NewService on a taken port: err = %v; want a sandbox listen error", err)
	}
}

func TestRedactHidesEveryCredential(t *testing.T) {
	e := newEnv(t)
	svc, _, _ := e.worker(e.config(nil))
	e.publish(e.announcement("r", "Avís", "Text."))
	e.waitState("r", 1, delivery.Delivered)
	msg := "token=" + refreshToken + " secret=" + clientSecret + " id=" + clientID
	got := svc.Channel().Redact(msg)
	if strings.Contains(got, refreshToken) || strings.Contains(got, clientSecret) || !strings.Contains(got, clientID) {
		t.Errorf("Redact(%q) = %q; want secrets hidden, the client id kept", msg, got)
	}
}
