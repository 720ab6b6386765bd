package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

// TestSIGTERMDuringABurstLosesAndDoublesNothing stops the hub while its web worker is in
// the middle of a burst, starts it again on the same data, and checks that every
// bulletin was recorded delivered exactly once.
func TestSIGTERMDuringABurstLosesAndDoublesNothing(t *testing.T) {
	const n = 120
	dir, addr := t.TempDir(), freePort(t)
	logs := &testenv.Logs{}
	stop := startHub(t, dir, addr, logs)
	natstest.WaitFor(t, 60*time.Second, "hub ready", func() bool { return strings.Contains(logs.String(), "hub ready") })
	conn, pub := connect(t, addr, dir)
	store, err := delivery.NewStore(context.Background(), conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("rafega-%03d", i)
		b := &bulletin.Bulletin{ID: ids[i], Title: "Ràfega " + ids[i], Lang: "ca", Group: ids[i], Channels: []string{bulletin.Web}, Body: "Text."}
		if _, err := pub.Publish(context.Background(), b, "test"); err != nil {
			t.Fatal(err)
		}
	}
	delivered := func() int {
		count := 0
		for _, id := range ids {
			if rec, _, _ := store.Get(context.Background(), id, bulletin.Web); rec != nil && rec.State == delivery.Delivered {
				count++
			}
		}
		return count
	}
	natstest.WaitFor(t, 60*time.Second, "the burst to be under way", func() bool { return delivered() > 0 })
	conn.NC.Close()
	if err := stop(); err != nil { // SIGTERM mid-burst
		t.Fatalf("hub exited with %v", err)
	}
	logs = &testenv.Logs{}
	startHub(t, dir, addr, logs)
	natstest.WaitFor(t, 60*time.Second, "hub ready again", func() bool { return strings.Contains(logs.String(), "hub ready") })
	conn, _ = connect(t, addr, dir)
	store, _ = delivery.NewStore(context.Background(), conn.JS)
	// Every revision is settled before the hub stops, so the restarted worker goes on at
	// once: nothing waits out the 30 s ack wait (the bound is well under it).
	natstest.WaitFor(t, 20*time.Second, "every bulletin delivered after the restart", func() bool { return delivered() == n })

	for _, id := range ids {
		hist, err := store.History(context.Background(), id, bulletin.Web)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 1 || hist[0].State != delivery.Delivered || hist[0].Attempts != 1 {
			t.Errorf("%s: record history %+v; want one delivery, first attempt", id, hist)
		}
	}
}
