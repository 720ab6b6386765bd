package audit_test

import (
	"context"
	"sync"
	"testing"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/natstest"
)

// Two replicas recording the same event by id at once leave one event; another id is
// another event.
func TestRecordOnceKeepsOneEventPerID(t *testing.T) {
	conn := natstest.Start(t).Connect("test")
	ctx := context.Background()
	log, err := audit.New(ctx, conn.JS, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := audit.Event{Actor: audit.System, Via: "delivery", Action: audit.DeliveryDead, Target: "ple@1.telegram", Detail: "too_long: message is too long"}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := log.RecordOnce(ctx, "dead:ple:telegram:1:1", ev); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := log.RecordOnce(ctx, "dead:ple:telegram:1:2", ev); err != nil { // dead again after a Retry
		t.Fatal(err)
	}
	evs, err := log.Recent(ctx, 10)
	if err != nil || len(evs) != 2 {
		t.Fatalf("%d events (%v), want 2: %+v", len(evs), err, evs)
	}
}
