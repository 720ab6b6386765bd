package poster_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/delivery"
)

func TestRefusalsAreDeadWithAReasonAndNeverShowTheToken(t *testing.T) {
	// The sandbox knows only the Catalan chat: Spanish bulletins are refused.
	e := newEnv(t, sandbox.Config{Chats: []string{chatCA}})
	e.start(e.config())
	e.publish("refusat", "es", "Aviso", "Texto.")
	rec := e.wait("refusat", 1, delivery.Dead)
	if !strings.Contains(rec.Error, "chat not found") || !strings.Contains(rec.Error, chatES) || rec.Attempts != 1 {
		t.Errorf("dead record: %q after %d attempts", rec.Error, rec.Attempts)
	}
	// Later bulletins still go out.
	e.publish("seguent", "ca", "Avís", "Text.")
	e.wait("seguent", 1, delivery.Delivered)
	e.noToken("refusat", "seguent")
}

func TestRevokedTokenIsDeadWithAHint(t *testing.T) {
	e := newEnv(t, sandbox.Config{Token: "999:another-token-the-bot-no-longer-has"})
	e.start(e.config())
	e.publish("revocat", "ca", "Avís", "Text.")
	rec := e.wait("revocat", 1, delivery.Dead)
	if !strings.Contains(rec.Error, "Unauthorized") || !strings.Contains(rec.Error, "TELEGRAM_BOT_TOKEN") {
		t.Errorf("dead record: %q", rec.Error)
	}
	e.noToken("revocat")
}

func TestUnreachableAPIRetriesThenGivesUpWithoutShowingTheToken(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	cfg := e.config()
	cfg.APIURL = closed
	cfg.Delivery.MaxAttempts = 3
	e.start(cfg)
	e.publish("inabastable", "ca", "Avís", "Text.")
	rec := e.wait("inabastable", 1, delivery.Dead)
	if !strings.Contains(rec.Error, "gave up after 3 attempts") || !strings.Contains(rec.Error, "connection refused") {
		t.Errorf("dead record: %q", rec.Error)
	}
	hist, _ := e.store.History(t.Context(), "inabastable", "telegram")
	if len(hist) != 4 || hist[0].State != delivery.Failed || hist[2].State != delivery.Failed {
		t.Errorf("audit trail = %d versions, want failed three times, then dead", len(hist))
	}
	e.noToken("inabastable")
}

func TestTheSandboxAskedForServesItsPage(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := e.config()
	cfg.Token, cfg.APIURL, cfg.ChatID, cfg.SandboxAddr, cfg.Sandbox = "", "", "", addr, true
	stop, _ := e.start(cfg)
	e.publish("sandbox", "ca", "Avís de prova", "Visible a la pàgina <b>local</b>.")
	rec := e.wait("sandbox", 1, delivery.Delivered)
	if rec.Ref.URL != "http://"+addr+"/" || !rec.Ref.Sandbox {
		t.Errorf("ref = %+v, want the sandbox page, marked sandbox", rec.Ref)
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"@lapaeriaexplica", "<b>Avís de prova</b>", "Visible a la pàgina &lt;b&gt;local&lt;/b&gt;."} {
		if !strings.Contains(string(page), want) {
			t.Errorf("sandbox page lacks %q", want)
		}
	}
	stop()
	c := http.Client{Timeout: time.Second}
	if _, err := c.Get("http://" + addr + "/"); err == nil {
		t.Error("sandbox still serving after Run returned")
	}
}
