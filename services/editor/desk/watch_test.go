package desk

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// countingKV is the deliveries bucket that counts its whole-bucket watches (the scan
// of the needs-attention panel is one) and can fail the first ones or end them at once,
// as a bus that went away would.
type countingKV struct {
	jetstream.KeyValue
	mu             sync.Mutex
	watches        int
	failing, ended int // the next watches to fail, then to end at once
}

func (k *countingKV) WatchAll(ctx context.Context, opts ...jetstream.WatchOpt) (jetstream.KeyWatcher, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.watches++
	switch {
	case k.failing > 0:
		k.failing--
		return nil, errors.New("nats: no responders available for request")
	case k.ended > 0:
		k.ended--
		return endedWatcher{}, nil
	}
	return k.KeyValue.WatchAll(ctx, opts...)
}

func (k *countingKV) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.watches
}

// endedWatcher is a watch whose updates stopped, as on a lost connection.
type endedWatcher struct{}

func (endedWatcher) Updates() <-chan jetstream.KeyValueEntry {
	ch := make(chan jetstream.KeyValueEntry)
	close(ch)
	return ch
}

func (endedWatcher) Stop() error { return nil }

// watchedDesk is a desk on a fresh bus whose deliveries bucket is kv over the real one.
func watchedDesk(t *testing.T, kv *countingKV) (*Desk, *audit.Log) {
	t.Helper()
	ctx := context.Background()
	conn := natstest.Start(t).Connect("desk-watch-test")
	al, err := audit.New(ctx, conn.JS, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(ctx, Deps{JS: conn.JS, Audit: al, WebBaseURL: "http://web.test"})
	if err != nil {
		t.Fatal(err)
	}
	kv.KeyValue = d.deliveries
	d.deliveries = kv
	return d, al
}

func putRecord(t *testing.T, d *Desk, r delivery.Record) {
	t.Helper()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	key, err := bus.RecordKey(r.ID, r.Channel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.deliveries.Put(context.Background(), key, data); err != nil {
		t.Fatal(err)
	}
}

// run starts f until the test ends.
func run(t *testing.T, f func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = f(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// eventually waits, with a generous deadline, until ok holds.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("still not so after 20s: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A watch of the deaths that fails at its start, then one that ends, does not end the
// auditing: the next death is still in the audit log.
func TestAuditDeathsWatchesAgainAfterFailure(t *testing.T) {
	kv := &countingKV{failing: 1, ended: 1}
	d, al := watchedDesk(t, kv)
	run(t, d.TrackSandboxes)
	eventually(t, "a third watch after a failed one and an ended one", func() bool { return kv.count() >= 3 })
	attempts := 0
	eventually(t, "the death is in the audit log", func() bool {
		attempts++ // a new death each time: the watch sees changes from its start on
		putRecord(t, d, delivery.Record{ID: "ple", Channel: "telegram", Rev: 1, State: delivery.Dead, Attempts: attempts})
		evs, err := al.Recent(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Action == audit.DeliveryDead && e.Target == "ple@1.telegram" {
				return true
			}
		}
		return false
	})
}

// Once the desk's watch has read the records, the panel reads no more of the bucket
// than the bulletins with a dead delivery: however often a page is shown, no watch of
// the whole bucket. It still sees a death, a recovery and a deleted record.
func TestAttentionReadsTheWatchedDeadSet(t *testing.T) {
	kv := &countingKV{}
	d, _ := watchedDesk(t, kv)
	ctx := context.Background()
	for _, id := range []string{"ple", "mercat"} {
		if _, err := d.pub.Publish(ctx, &bulletin.Bulletin{ID: id, Title: "Títol " + id, Lang: "ca", Channels: []string{"telegram"}, Body: "Text."}, "anna"); err != nil {
			t.Fatal(err)
		}
	}
	putRecord(t, d, delivery.Record{ID: "ple", Channel: "telegram", Rev: 1, State: delivery.Dead, Reason: delivery.ReasonTooLong})
	putRecord(t, d, delivery.Record{ID: "mercat", Channel: "telegram", Rev: 1, State: delivery.Delivered})

	troubleIDs := func() []string {
		ts, err := d.Attention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tr := range ts {
			ids = append(ids, tr.ID)
		}
		return ids
	}
	// Before the watch runs, the panel scans.
	if ids := troubleIDs(); len(ids) != 1 || ids[0] != "ple" || kv.count() != 1 {
		t.Fatalf("before the watch: troubles %v after %d watches, want [ple] after one scan", ids, kv.count())
	}
	run(t, d.TrackSandboxes)
	eventually(t, "the watch has read the records", func() bool { _, ok := d.sandbox.deadSet(); return ok })
	before := kv.count()
	for range 50 {
		if ids := troubleIDs(); len(ids) != 1 || ids[0] != "ple" {
			t.Fatalf("troubles %v, want [ple]", ids)
		}
	}
	if n := kv.count() - before; n != 0 {
		t.Errorf("50 panels watched the whole bucket %d times, want 0", n)
	}

	putRecord(t, d, delivery.Record{ID: "mercat", Channel: "telegram", Rev: 1, State: delivery.Dead})
	eventually(t, "a new death shows", func() bool { return len(troubleIDs()) == 2 })
	putRecord(t, d, delivery.Record{ID: "ple", Channel: "telegram", Rev: 1, State: delivery.Delivered})
	eventually(t, "a retried delivery leaves the panel", func() bool { ids := troubleIDs(); return len(ids) == 1 && ids[0] == "mercat" })
	key, _ := bus.RecordKey("mercat", "telegram")
	if err := d.deliveries.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a deleted record leaves the panel", func() bool { return len(troubleIDs()) == 0 })
	if n := kv.count() - before; n != 0 {
		t.Errorf("the panels watched the whole bucket %d times, want 0", n)
	}
}
