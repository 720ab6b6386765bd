package bus_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
)

// racingJS answers the first publish through it the way the server answers a publisher
// that lost a race, at the very moment of the race: answer runs the other publisher's
// write (or sends ours) and returns what the server would say. One server checks the
// expected sequence before Nats-Msg-Id, a cluster the other way round, so the cluster's
// answers (a duplicate ack, error 10158) are played here to be tested deterministically.
type racingJS struct {
	jetstream.JetStream
	answer func(ctx context.Context, subject string, data []byte, opts []jetstream.PublishOpt) (*jetstream.PubAck, error)
}

func (r *racingJS) Publish(ctx context.Context, subject string, data []byte, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	if answer := r.answer; answer != nil {
		r.answer = nil
		return answer(ctx, subject, data, opts)
	}
	return r.JetStream.Publish(ctx, subject, data, opts...)
}

// inProcess is error 10158 as nats.go returns it.
var inProcess = fmt.Errorf("nats: %w", &jetstream.APIError{Code: 409, ErrorCode: 10158, Description: "duplicate message id is in process"})

// race is what happens at the moment our publish reaches the server.
type race func(t *testing.T, env raceEnv, subject string, data []byte, opts []jetstream.PublishOpt) (*jetstream.PubAck, error)

type raceEnv struct {
	real  jetstream.JetStream
	other *bus.Bulletins // the other publisher
}

// otherFirst: the other publisher's write lands; we are answered with answer (given
// the sequence of the other's message) without ours being stored, as on a cluster.
func otherFirst(write func(context.Context, *bus.Bulletins) error, answer func(seq uint64) (*jetstream.PubAck, error)) race {
	return func(t *testing.T, env raceEnv, subject string, _ []byte, _ []jetstream.PublishOpt) (*jetstream.PubAck, error) {
		if err := write(context.Background(), env.other); err != nil {
			t.Fatalf("the other publisher: %v", err)
		}
		s, err := env.real.Stream(context.Background(), bus.StreamBulletins)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := s.GetLastMsgForSubject(context.Background(), subject)
		if err != nil {
			t.Fatal(err)
		}
		return answer(msg.Sequence)
	}
}

// oursThen: our write lands, but the answer is answer, as when a lost ack is re-sent.
func oursThen(answer func(seq uint64) (*jetstream.PubAck, error)) race {
	return func(t *testing.T, env raceEnv, subject string, data []byte, opts []jetstream.PublishOpt) (*jetstream.PubAck, error) {
		ack, err := env.real.Publish(context.Background(), subject, data, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return answer(ack.Sequence)
	}
}

// otherThenReal: the other's write lands, then ours really goes to the (one) server.
func otherThenReal(write func(context.Context, *bus.Bulletins) error) race {
	return func(t *testing.T, env raceEnv, subject string, data []byte, opts []jetstream.PublishOpt) (*jetstream.PubAck, error) {
		if err := write(context.Background(), env.other); err != nil {
			t.Fatalf("the other publisher: %v", err)
		}
		return env.real.Publish(context.Background(), subject, data, opts...)
	}
}

func duplicate(seq uint64) (*jetstream.PubAck, error) {
	return &jetstream.PubAck{Stream: bus.StreamBulletins, Sequence: seq, Duplicate: true}, nil
}

func stillInProcess(uint64) (*jetstream.PubAck, error) { return nil, inProcess }

func publishes(body string) func(context.Context, *bus.Bulletins) error {
	return func(ctx context.Context, bs *bus.Bulletins) error {
		_, err := bs.Publish(ctx, sample("x", body), "berta")
		return err
	}
}

func retracts(ctx context.Context, bs *bus.Bulletins) error {
	_, err := bs.Retract(ctx, "x", "berta")
	return err
}

// newRace returns our publisher, whose first publish meets r, and a reader. Revision 1
// ("primer", by anna) is on the bus already.
func newRace(t *testing.T, r race) (ours, reader *bus.Bulletins) {
	t.Helper()
	srv := natstest.Start(t)
	ctx := context.Background()
	real := srv.Connect("ours").JS
	other, err := bus.NewBulletins(ctx, srv.Connect("other").JS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Publish(ctx, sample("x", "primer"), "anna"); err != nil {
		t.Fatal(err)
	}
	rjs := &racingJS{JetStream: real}
	rjs.answer = func(_ context.Context, subject string, data []byte, opts []jetstream.PublishOpt) (*jetstream.PubAck, error) {
		return r(t, raceEnv{real: real, other: other}, subject, data, opts)
	}
	ours, err = bus.NewBulletins(ctx, rjs)
	if err != nil {
		t.Fatal(err)
	}
	return ours, other
}

// history is "rev action body author", one revision after another.
func history(t *testing.T, bs *bus.Bulletins) string {
	t.Helper()
	hist, err := bs.History(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, r := range hist {
		parts = append(parts, fmt.Sprintf("%d %s %s %s", r.Rev, r.Action, r.Bulletin.Body, r.Author))
	}
	return strings.Join(parts, ", ")
}

func TestAPublisherThatLosesARaceIsNeverToldItWon(t *testing.T) {
	tests := []struct {
		name        string
		race        race
		wantRev     int
		wantChanged bool
		wantHistory string
	}{
		{"duplicate ack: the other's text", otherFirst(publishes("altre"), duplicate), 3, true,
			"1 publish primer anna, 2 edit altre berta, 3 edit nostre anna"},
		{"duplicate ack: the same text", otherFirst(publishes("nostre"), duplicate), 2, false,
			"1 publish primer anna, 2 edit nostre berta"},
		{"in process: the other's text", otherFirst(publishes("altre"), stillInProcess), 3, true,
			"1 publish primer anna, 2 edit altre berta, 3 edit nostre anna"},
		{"wrong last sequence", otherThenReal(publishes("altre")), 3, true,
			"1 publish primer anna, 2 edit altre berta, 3 edit nostre anna"},
		{"duplicate ack: the other retracted", otherFirst(retracts, duplicate), 3, true,
			"1 publish primer anna, 2 retract primer berta, 3 publish nostre anna"},
		{"duplicate ack of our own write", oursThen(duplicate), 2, true,
			"1 publish primer anna, 2 edit nostre anna"},
		{"in process, then ours landed", oursThen(stillInProcess), 2, true,
			"1 publish primer anna, 2 edit nostre anna"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, reader := newRace(t, tt.race)
			p, err := ours.Publish(context.Background(), sample("x", "nostre"), "anna")
			if err != nil {
				t.Fatal(err)
			}
			if p.Revision.Rev != tt.wantRev || p.Changed != tt.wantChanged {
				t.Errorf("told %s changed=%v; want rev %d changed=%v", p.Revision.Key(), p.Changed, tt.wantRev, tt.wantChanged)
			}
			if got := history(t, reader); got != tt.wantHistory {
				t.Errorf("history:\n got %s\nwant %s", got, tt.wantHistory)
			}
			if onBus, _, _ := reader.Latest(context.Background(), "x"); p.Revision.Hash != onBus.Hash {
				t.Errorf("told the latest holds %s; it holds %s", p.Revision.Hash, onBus.Hash)
			}
		})
	}
}

func TestARetractionThatLosesARaceIsNeverDropped(t *testing.T) {
	tests := []struct {
		name        string
		race        race
		wantErr     string
		wantRev     int
		wantHistory string
	}{
		{"duplicate ack: an edit", otherFirst(publishes("altre"), duplicate), "", 3,
			"1 publish primer anna, 2 edit altre berta, 3 retract altre anna"},
		{"in process: an edit", otherFirst(publishes("altre"), stillInProcess), "", 3,
			"1 publish primer anna, 2 edit altre berta, 3 retract altre anna"},
		{"wrong last sequence: an edit", otherThenReal(publishes("altre")), "", 3,
			"1 publish primer anna, 2 edit altre berta, 3 retract altre anna"},
		{"duplicate ack: a retraction", otherFirst(retracts, duplicate), "already retracted in revision 2", 0,
			"1 publish primer anna, 2 retract primer berta"},
		{"in process: a retraction", otherFirst(retracts, stillInProcess), "already retracted in revision 2", 0,
			"1 publish primer anna, 2 retract primer berta"},
		{"duplicate ack of our own retraction", oursThen(duplicate), "", 2,
			"1 publish primer anna, 2 retract primer anna"},
		{"in process, then ours landed", oursThen(stillInProcess), "", 2,
			"1 publish primer anna, 2 retract primer anna"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, reader := newRace(t, tt.race)
			rev, err := ours.Retract(context.Background(), "x", "anna")
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Retract = %v, %v; want error %q", rev, err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case rev.Rev != tt.wantRev || rev.Action != bulletin.Retract:
				t.Errorf("told %s %s; want retraction %d", rev.Key(), rev.Action, tt.wantRev)
			}
			if got := history(t, reader); got != tt.wantHistory {
				t.Errorf("history:\n got %s\nwant %s", got, tt.wantHistory)
			}
		})
	}
}
