package poster_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// TestChannelReadsWell: end to end, a live announcement whose first paragraph is
// longer than a message reaches the chat with its title, the start in Madrid time in
// its language, and body text all in the first message.
func TestChannelReadsWell(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.start(e.config())
	first := strings.Repeat("La Paeria explicarà en directe el repartiment de mascaretes. ", 90)
	b := &bulletin.Bulletin{ID: "directo", Title: "Rueda de prensa", Lang: "es", Group: "directo",
		Channels: []string{bulletin.Telegram, bulletin.Web}, Body: first + "\n\nSegundo párrafo.",
		Live: &bulletin.Live{Start: time.Date(2030, 3, 18, 11, 0, 0, 0, time.UTC), Title: "Rueda"}}
	if _, err := e.pub.Publish(context.Background(), b, "test"); err != nil {
		t.Fatal(err)
	}
	e.wait("directo", 1, delivery.Delivered)
	texts := e.texts(chatES)
	if len(texts) != 2 {
		t.Fatalf("%d messages, want 2", len(texts))
	}
	want := "Rueda de prensa\n\n🔴 Emisión en directo: lunes 18/03/2030 a las 12:00\n\nLa Paeria explicarà"
	if !strings.HasPrefix(texts[0], want) {
		t.Errorf("first message reads %q…, want it to start %q", texts[0][:min(len(texts[0]), 160)], want)
	}
}
