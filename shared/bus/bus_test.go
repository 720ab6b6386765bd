package bus_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/bus/bustest"
	"github.com/paeria/pregoner/shared/natstest"
)

func newBulletins(t *testing.T) (*bus.Conn, *bus.Bulletins) {
	t.Helper()
	srv := natstest.Start(t)
	conn := srv.Connect("test")
	bs, err := bus.NewBulletins(context.Background(), conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	return conn, bs
}

func sample(id, body string) *bulletin.Bulletin {
	return &bulletin.Bulletin{ID: id, Title: "T", Lang: "ca", Group: id, Channels: []string{"web"}, Body: body}
}

func TestSetupIsIdempotentAndSafeConcurrently(t *testing.T) {
	srv := natstest.Start(t)
	conn := srv.Connect("a") // runs Setup once
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- bus.Setup(context.Background(), conn.JS, bus.Topology{}) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Setup: %v", err)
		}
	}
	for range 2 {
		if _, err := bus.Consumer(context.Background(), conn.JS, "web", bus.Topology{}); err != nil {
			t.Fatalf("Consumer twice: %v", err)
		}
	}
	info, err := conn.JS.Stream(context.Background(), bus.StreamBulletins)
	if err != nil {
		t.Fatal(err)
	}
	cfg := info.CachedInfo().Config
	if cfg.Storage != jetstream.FileStorage || cfg.MaxMsgsPerSubject != -1 {
		t.Errorf("stream config: storage %v, max per subject %d; want file storage keeping every revision", cfg.Storage, cfg.MaxMsgsPerSubject)
	}
}

func TestPublishNumbersRevisionsAndSkipsUnchangedContent(t *testing.T) {
	_, bs := newBulletins(t)
	ctx := context.Background()
	tests := []struct {
		body        string
		wantRev     int
		wantAction  bulletin.Action
		wantChanged bool
	}{
		{"u", 1, bulletin.Publish, true},
		{"u", 1, bulletin.Publish, false},
		{"dos", 2, bulletin.Edit, true},
		{"dos", 2, bulletin.Edit, false},
		{"tres", 3, bulletin.Edit, true},
	}
	for i, tt := range tests {
		p, err := bs.Publish(ctx, sample("x", tt.body), "anna")
		if err != nil {
			t.Fatal(err)
		}
		if p.Revision.Rev != tt.wantRev || p.Revision.Action != tt.wantAction || p.Changed != tt.wantChanged {
			t.Errorf("publish %d: rev %d %s changed=%v; want %d %s %v", i, p.Revision.Rev, p.Revision.Action, p.Changed,
				tt.wantRev, tt.wantAction, tt.wantChanged)
		}
	}
	hist, err := bs.History(ctx, "x")
	if err != nil || len(hist) != 3 || hist[2].Bulletin.Body != "tres" || hist[0].Author != "anna" {
		t.Fatalf("history = %v, %v", hist, err)
	}
	if _, err := bs.Retract(ctx, "x", "anna"); err != nil {
		t.Fatal(err)
	}
	p, err := bs.Publish(ctx, sample("x", "tres"), "anna")
	if err != nil || p.Revision.Rev != 5 || p.Revision.Action != bulletin.Publish || !p.Changed {
		t.Errorf("publishing the same content after a retraction: %+v %v; want rev 5, a new publish", p, err)
	}
}

// TestConcurrentPublishersAreToldTheTruth: racing publishers on separate connections,
// each with its own text, all land, numbered without gaps, and each is told the revision
// that holds its own text.
func TestConcurrentPublishersAreToldTheTruth(t *testing.T) {
	srv := natstest.Start(t)
	var pubs []*bus.Bulletins
	for i := range 3 {
		bs, err := bus.NewBulletins(context.Background(), srv.Connect(fmt.Sprint("editor-", i)).JS)
		if err != nil {
			t.Fatal(err)
		}
		pubs = append(pubs, bs)
	}
	bustest.PublishRace(t, pubs, pubs[0], "cursa", 8)
	for i := range 5 {
		bustest.RetractRace(t, pubs[1], pubs[2], pubs[0], fmt.Sprint("retirada-", i))
		bustest.DoubleRetract(t, pubs[1], pubs[2], pubs[0], fmt.Sprint("doble-", i))
	}
}

func TestResentPublishIsDeduplicatedByMsgID(t *testing.T) {
	conn, bs := newBulletins(t)
	ctx := context.Background()
	p, err := bs.Publish(ctx, sample("dup", "text"), "anna")
	if err != nil {
		t.Fatal(err)
	}
	// A client that lost the ack re-sends the very same message.
	data, _ := bus.Encode(p.Revision)
	subject, err := bus.RevisionSubject("dup")
	if err != nil {
		t.Fatal(err)
	}
	ack, err := conn.JS.Publish(ctx, subject, data, jetstream.WithMsgID(p.Revision.Key()))
	if err != nil {
		t.Fatal(err)
	}
	if !ack.Duplicate {
		t.Error("re-sent publish was stored again, want it deduplicated")
	}
	hist, _ := bs.History(ctx, "dup")
	if len(hist) != 1 {
		t.Errorf("%d revisions after a re-send, want 1", len(hist))
	}
}

func TestEachLatestSeesTheNewestRevisionOfEveryBulletin(t *testing.T) {
	_, bs := newBulletins(t)
	ctx := context.Background()
	if err := bs.EachLatest(ctx, func(*bulletin.Revision) error { return errors.New("called on empty stream") }); err != nil {
		t.Fatalf("empty stream: %v", err)
	}
	for _, b := range []*bulletin.Bulletin{sample("a", "1"), sample("b", "1"), sample("a", "2")} {
		if _, err := bs.Publish(ctx, b, "x"); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	if err := bs.EachLatest(ctx, func(r *bulletin.Revision) error { got[r.ID] = r.Rev; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["a"] != 2 || got["b"] != 1 {
		t.Errorf("latest = %v, want a@2 b@1", got)
	}
	if _, _, err := bs.Latest(ctx, "ningu"); !errors.Is(err, bus.ErrNotFound) {
		t.Errorf("Latest of unknown id: %v, want ErrNotFound", err)
	}
	if _, err := bs.Retract(ctx, "ningu", "x"); !errors.Is(err, bus.ErrNotFound) {
		t.Errorf("Retract of unknown id: %v, want ErrNotFound", err)
	}
}

func TestParseSubject(t *testing.T) {
	tests := []struct {
		subject, id, channel string
		ok                   bool
	}{
		{"bulletins.a-1", "a-1", "", true},
		{"redrive.telegram.a-1", "a-1", "telegram", true},
		{"bulletins", "", "", false},
		{"other.a", "", "", false},
		{"bulletins.*", "", "", false},
		{"bulletins.>", "", "", false},
		{"bulletins.A", "", "", false},
		{"bulletins.a--b", "", "", false},
		{"bulletins." + strings.Repeat("a", 81), "", "", false},
		{"redrive.telegram.*", "", "", false},
		{"redrive.fax.a-1", "", "", false},
		{"redrive.*.a-1", "", "", false},
	}
	for _, tt := range tests {
		id, ch, ok := bus.ParseSubject(tt.subject)
		if id != tt.id || ch != tt.channel || ok != tt.ok {
			t.Errorf("ParseSubject(%q) = %q %q %v; want %q %q %v", tt.subject, id, ch, ok, tt.id, tt.channel, tt.ok)
		}
	}
}

func TestConnectErrorRedactsPassword(t *testing.T) {
	_, err := bus.Connect(context.Background(), bus.ConnConfig{URL: "nats://editor:s3cret@127.0.0.1:1"})
	if err == nil {
		t.Fatal("connected to nothing")
	}
	if msg := err.Error(); !containsAll(msg, "nats://***@127.0.0.1:1") || containsAll(msg, "s3cret") {
		t.Errorf("error %q leaks the password or lost the address", msg)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
