package delivery_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// flakyRevisions fails Latest for the ids in fail, n times each (n < 0: always).
type flakyRevisions struct {
	delivery.Revisions
	mu   sync.Mutex
	fail map[string]int
}

func (f *flakyRevisions) Latest(ctx context.Context, id string) (*bulletin.Revision, uint64, error) {
	f.mu.Lock()
	n := f.fail[id]
	if n > 0 {
		f.fail[id] = n - 1
	}
	f.mu.Unlock()
	if n != 0 {
		return nil, 0, errors.New("nats: timeout")
	}
	return f.Revisions.Latest(ctx, id)
}

func TestPoisonMessagesDoNotHoldUpTheChannel(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var refused []string
	ch := &testChannel{}
	e.worker(ch, delivery.Config{Observe: func(o delivery.Outcome) {
		if o.Err != "" && o.ID == "" {
			mu.Lock()
			refused = append(refused, o.Err)
			mu.Unlock()
		}
	}})
	ctx := context.Background()
	for subject, data := range map[string]string{
		"bulletins.*":         `{"id":"*","rev":1,"bulletin":{}}`,
		"bulletins.Mal_Id":    `{"id":"Mal_Id","rev":1,"bulletin":{}}`,
		"bulletins.trencat":   `{"id":"trencat","rev":`,
		"bulletins.altre":     `{"id":"un-altre","rev":1,"bulletin":{}}`,
		"redrive.telegram.*":  ``,
		"redrive.telegram.no": ``,
	} {
		if _, err := e.conn.JS.Publish(ctx, subject, []byte(data)); err != nil {
			t.Fatalf("publish %s: %v", subject, err)
		}
	}
	start := time.Now()
	e.publish("despres", "Després del verí.")
	e.waitState("despres", 1, delivery.Delivered)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a bulletin behind poison messages took %s", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(refused) != 6 {
		t.Errorf("refused %d poison messages, want 6: %q", len(refused), refused)
	}
	for _, r := range refused {
		if strings.Contains(r, "bad bulletin id") && !strings.Contains(r, bulletin.IDRule) {
			t.Errorf("refusal %q does not name the rule", r)
		}
	}
}

func TestARevisionTheBusCannotServeIsRefusedAndTheChannelMovesOn(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{}
	revs := &flakyRevisions{Revisions: e.pub, fail: map[string]int{"illegible": -1}}
	e.workerWith(ch, delivery.Config{MaxAttempts: 3}, revs)
	e.publish("illegible", "No es pot llegir.")
	e.publish("seguent", "El següent.")
	e.waitState("seguent", 1, delivery.Delivered)
	rec := e.waitState("illegible", 1, delivery.Dead)
	if !strings.Contains(rec.Error, "could not read the latest revision after 3 tries") {
		t.Errorf("dead record says %q; want the reason", rec.Error)
	}
	if got := ch.ops(); len(got) != 1 || got[0] != "deliver seguent@1" {
		t.Errorf("calls = %q, want only the readable bulletin's", got)
	}
}

func TestARedriveSurvivesATransientReadError(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	refusing := true
	ch := &testChannel{fail: func(string, delivery.Job, int) error {
		mu.Lock()
		defer mu.Unlock()
		if refusing {
			return delivery.Permanent(errors.New("400 Bad Request: chat not found"))
		}
		return nil
	}}
	revs := &flakyRevisions{Revisions: e.pub, fail: map[string]int{}}
	e.workerWith(ch, delivery.Config{}, revs)
	e.publish("redrive", "Torna-ho a provar.")
	e.waitState("redrive", 1, delivery.Dead)
	mu.Lock()
	refusing = false
	mu.Unlock()
	revs.mu.Lock()
	revs.fail["redrive"] = 2 // the re-drive's read of the latest revision fails twice
	revs.mu.Unlock()
	if err := delivery.Redrive(context.Background(), e.store, e.pub, "redrive", bulletin.Telegram, "anna"); err != nil {
		t.Fatal(err)
	}
	rec := e.waitState("redrive", 1, delivery.Delivered)
	if rec.Attempts != 2 {
		t.Errorf("attempts = %d, want 2: the history before the re-drive is kept", rec.Attempts)
	}
}

func TestStuckPendingCanBeRedrivenAndFreshPendingCannot(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.publish("encallat", "Encallat.")
	for _, tt := range []struct {
		age  time.Duration
		want error
	}{
		{time.Minute, delivery.ErrNotDead},
		{delivery.StuckAfter + time.Minute, nil},
	} {
		_, kvRev, err := e.store.Get(ctx, "encallat", bulletin.Telegram)
		if err != nil {
			t.Fatal(err)
		}
		rec := &delivery.Record{ID: "encallat", Channel: bulletin.Telegram, Rev: 1, State: delivery.Pending,
			Updated: time.Now().Add(-tt.age).UTC()}
		if _, err := e.store.Put(ctx, rec, kvRev); err != nil {
			t.Fatal(err)
		}
		err = delivery.Redrive(ctx, e.store, e.pub, "encallat", bulletin.Telegram, "anna")
		if !errors.Is(err, tt.want) && (err != nil || tt.want != nil) {
			t.Errorf("re-drive of a record pending for %s: err = %v, want %v", tt.age, err, tt.want)
		}
	}
	e.worker(&testChannel{}, delivery.Config{})
	e.waitState("encallat", 1, delivery.Delivered)
}

func TestBadIDsAreRefusedByTheStoreAndRedrive(t *testing.T) {
	srv := natstest.Start(t)
	conn := srv.Connect("test")
	ctx := context.Background()
	store, err := delivery.NewStore(ctx, conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := bus.NewBulletins(ctx, conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"*", ">", "a.b", "../x", "", strings.Repeat("a", 300), "núria"} {
		if _, _, err := store.Get(ctx, id, bulletin.Telegram); !errors.Is(err, bulletin.ErrBadID) {
			t.Errorf("Get(%q): err = %v, want ErrBadID", id, err)
		}
		if _, err := store.Put(ctx, &delivery.Record{ID: id, Channel: bulletin.Telegram}, 0); !errors.Is(err, bulletin.ErrBadID) {
			t.Errorf("Put(%q): err = %v, want ErrBadID", id, err)
		}
		if err := delivery.Redrive(ctx, store, pub, id, bulletin.Telegram, "anna"); !errors.Is(err, bulletin.ErrBadID) {
			t.Errorf("Redrive(%q): err = %v, want ErrBadID", id, err)
		}
	}
}

func TestASecondReplicaNeverCallsWhileTheFirstHoldsTheDelivery(t *testing.T) {
	e := newEnv(t)
	// The first worker's heartbeat is slower than the ack wait, as when a server restart
	// loses its heartbeats: the bus hands the message to the second while the first calls.
	slow := &testChannel{block: make(chan struct{}), entered: make(chan string, 1)}
	e.workerWith(slow, delivery.Config{Heartbeat: 5 * time.Second}, e.pub)
	e.publish("doble", "Només una vegada.")
	<-slow.entered
	other := &testChannel{}
	e.worker(other, delivery.Config{})
	time.Sleep(3 * e.topo.AckWait / 2) // past the ack wait: the message is redelivered
	close(slow.block)
	e.waitState("doble", 1, delivery.Delivered)
	e.publish("seguent", "El següent.")
	e.waitState("seguent", 1, delivery.Delivered)
	calls := append(slow.ops(), other.ops()...)
	if n := len(slices.DeleteFunc(slices.Clone(calls), func(s string) bool { return s != "deliver doble@1" })); n != 1 {
		t.Errorf("calls = %q; want doble delivered once, by the worker holding it", calls)
	}
}
