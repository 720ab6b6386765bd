package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestHubCarriesABulletinToEveryChannel is what a new user sees after the README's first
// command: one bulletin from content/ reaches Telegram (the sandbox), the web page, and
// YouTube's record, and the admin address reports it.
func TestHubCarriesABulletinToEveryChannel(t *testing.T) {
	addrs := serviceAddrs(t)
	natsAddr, admin := freePort(t), freePort(t)
	dataDir := t.TempDir()
	cfg, err := loadConfig([]string{"-data", dataDir, "-nats-listen", natsAddr, "-admin", admin, "-log-format", "json"},
		func(k string) string { return addrs[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &testenv.Logs{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, logs) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("hub exited with %v", err)
		}
	}()
	natstest.WaitFor(t, 60*time.Second, "hub ready", func() bool { return strings.Contains(logs.String(), "hub ready") })

	conn, pub := connect(t, natsAddr, dataDir)
	store, err := delivery.NewStore(ctx, conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../content/2020-03-18-xarxa-solidaria.md")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bulletin.Parse("content/2020-03-18-xarxa-solidaria.md", src, bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.Channels = append(b.Channels, bulletin.YouTube) // no live block: YouTube must skip it, visibly
	if _, err := pub.Publish(ctx, b, "test"); err != nil {
		t.Fatal(err)
	}
	var st *delivery.Status
	natstest.WaitFor(t, 60*time.Second, "every channel to settle", func() bool {
		st, err = delivery.GetStatus(ctx, pub, store, b.ID)
		if err != nil {
			return false
		}
		for _, c := range st.Channels {
			if !c.State.Final() {
				return false
			}
		}
		return true
	})
	want := map[string]delivery.State{bulletin.Telegram: delivery.Delivered, bulletin.YouTube: delivery.Skipped, bulletin.Web: delivery.Delivered}
	for _, c := range st.Channels {
		if c.State != want[c.Channel] {
			t.Errorf("%s: %s (%s), want %s", c.Channel, c.State, c.Record.Error, want[c.Channel])
		}
	}
	if code, body := httpGet(t, addrs["WEB_BASE_URL"]+"/bulletins/"+b.ID); code != 200 || !strings.Contains(body, "Neix la Xarxa Solidària de Lleida") {
		t.Errorf("permalink: %d, title missing", code)
	}
	if code, body := httpGet(t, "http://"+addrs["TELEGRAM_SANDBOX_ADDR"]+"/"); code != 200 || !strings.Contains(body, "Neix la Xarxa Solidària de Lleida") {
		t.Errorf("telegram sandbox page: %d, post missing", code)
	}
	if code, _ := httpGet(t, "http://"+addrs["EDITOR_ADDR"]+"/login"); code != 200 {
		t.Errorf("editor login page: %d", code)
	}
	if code, body := httpGet(t, "http://"+admin+"/metrics"); code != 200 ||
		!strings.Contains(body, `pregoner_deliveries_total{channel="web",state="delivered"} 1`) ||
		!strings.Contains(body, `pregoner_deliveries_total{channel="youtube",state="skipped"} 1`) {
		t.Errorf("metrics: %d\n%s", code, grepLines(body, "pregoner_deliveries"))
	}
	if code, _ := httpGet(t, "http://"+admin+"/readyz"); code != 200 {
		t.Errorf("/readyz: %d", code)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
