package site

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/bulletin"
)

// What a stream writes after a change: a "bulletin" event before the "change" only
// when exactly one bulletin changed since the version the stream told; the same bytes
// for every stream at the same versions; nothing when nothing changed.
func TestEventBytes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxStreams = 10
	f := feed.New()
	s, err := NewServer(cfg, f, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)
	publish := func(id string) {
		f.Apply(&bulletin.Revision{ID: id, Rev: 1, Action: bulletin.Publish, At: at,
			Bulletin: &bulletin.Bulletin{ID: id, Title: id, Lang: "ca", Group: id, Channels: []string{bulletin.Web}, Body: "x"}}, at)
	}
	opening, v0 := s.eventBytes(0, true, "")
	if strings.Contains(string(opening), "event: bulletin") || !strings.Contains(string(opening), "data: "+s.version(v0)+"\n") {
		t.Errorf("opening event %q, want the plain version %s", opening, s.version(v0))
	}
	if b, v := s.eventBytes(v0, false, ""); b != nil || v != v0 {
		t.Errorf("nothing changed, yet %q (version %d)", b, v)
	}

	publish("u")
	one, v1 := s.eventBytes(v0, false, "")
	want := `event: bulletin` + "\n" + `data: {"v":"` + s.version(v1) + `","from":"` + s.version(v0) + `","kind":"published","id":"u","lang":"ca","group":"u"}` +
		"\n\nid: " + s.version(v1) + "\nevent: change\ndata: " + s.version(v1) + "\n\n"
	if string(one) != want {
		t.Errorf("after one publish:\n%q\nwant\n%q", one, want)
	}
	if again, _ := s.eventBytes(v0, false, ""); &again[0] != &one[0] {
		t.Error("a second stream at the same versions got its own encoding, not the shared one")
	}

	publish("d")
	publish("t")
	two, v3 := s.eventBytes(v1, false, "")
	if strings.Contains(string(two), "event: bulletin") || string(two) != "id: "+s.version(v3)+"\nevent: change\ndata: "+s.version(v3)+"\n\n" {
		t.Errorf("after two changes at once: %q, want only the plain change event", two)
	}
	// A stream further behind than the feed remembers gets the plain event too.
	for i := range 70 {
		publish("b" + strings.Repeat("x", i+1))
	}
	if far, _ := s.eventBytes(v3, false, ""); strings.Contains(string(far), "event: bulletin") {
		t.Errorf("a stream 70 changes behind was told one bulletin: %q", far)
	}
}
