package bus_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// badIDs are ids that must never reach a subject or a key: wildcards, a subject
// separator, a path, nothing, too long, not ASCII, upper case, stray hyphens.
var badIDs = []string{"*", ">", "a.b", "../x", "", strings.Repeat("a", 300), "confinamént", "Avis", "-a", "a--b", "a b"}

func TestEveryBusEntryRefusesABadID(t *testing.T) {
	conn, bs := newBulletins(t)
	ctx := context.Background()
	entries := []struct {
		name string
		call func(id string) error
	}{
		{"Publish", func(id string) error { _, err := bs.Publish(ctx, sample(id, "text"), "anna"); return err }},
		{"Retract", func(id string) error { _, err := bs.Retract(ctx, id, "anna"); return err }},
		{"Latest", func(id string) error { _, _, err := bs.Latest(ctx, id); return err }},
		{"History", func(id string) error { _, err := bs.History(ctx, id); return err }},
		{"Redrive", func(id string) error { return bs.Redrive(ctx, id, bulletin.Telegram) }},
		{"RevisionSubject", func(id string) error { _, err := bus.RevisionSubject(id); return err }},
		{"RedriveSubject", func(id string) error { _, err := bus.RedriveSubject(bulletin.Web, id); return err }},
		{"RecordKey", func(id string) error { _, err := bus.RecordKey(id, bulletin.Web); return err }},
	}
	for _, e := range entries {
		for _, id := range badIDs {
			err := e.call(id)
			if !errors.Is(err, bulletin.ErrBadID) || !strings.Contains(err.Error(), bulletin.IDRule) {
				t.Errorf("%s(%.20q) = %v; want an error naming the rule", e.name, id, err)
			}
		}
	}
	s, err := conn.JS.Stream(ctx, bus.StreamBulletins)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := s.Info(ctx); err != nil || info.State.Msgs != 0 {
		t.Fatalf("stream after bad ids: %+v, %v; want nothing on it", info.State, err)
	}
}

func TestRedriveRefusesAnUnknownChannel(t *testing.T) {
	_, bs := newBulletins(t)
	for _, ch := range []string{"", "*", ">", "fax", "telegram.x", "Telegram"} {
		if err := bs.Redrive(context.Background(), "avis", ch); !errors.Is(err, bus.ErrUnknownChannel) {
			t.Errorf("Redrive(avis, %q) = %v; want ErrUnknownChannel", ch, err)
		}
		if _, err := bus.RecordKey("avis", ch); !errors.Is(err, bus.ErrUnknownChannel) {
			t.Errorf("RecordKey(avis, %q) = %v; want ErrUnknownChannel", ch, err)
		}
	}
}

func TestDecodeRefusesARevisionWithABadID(t *testing.T) {
	for _, id := range badIDs {
		data, err := bus.Encode(&bulletin.Revision{ID: id, Rev: 1, Action: bulletin.Publish, Bulletin: sample(id, "x")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bus.Decode(data); !errors.Is(err, bulletin.ErrBadID) {
			t.Errorf("Decode of a revision of %.20q = %v; want it refused", id, err)
		}
	}
}
