package deploy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/schedule"
)

// TestEditorRunsSchedulesAndItsStaffBuckets: with its own credentials the editor keeps a
// schedule on the bus and publishes it when due (schedule.Runner, as `editor serve`
// does), and binds to and uses its staff buckets, which the admin's set-up made with
// three replicas.
func TestEditorRunsSchedulesAndItsStaffBuckets(t *testing.T) {
	c, admin := startCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	editor := c.Connect(creds.Editor)
	pub, err := bus.NewBulletins(ctx, editor.JS)
	if err != nil {
		t.Fatal(err)
	}
	store, err := schedule.NewStore(ctx, editor.JS)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Put(ctx, schedule.Entry{Bulletin: sampleBulletin("toc-de-queda"), At: time.Now().Add(-time.Second), Author: "comunicacio"}); err != nil {
		t.Fatalf("editor schedules a bulletin: %v", err)
	}
	runner := schedule.NewRunner(store, pub, nil, nil)
	runner.Tick = 100 * time.Millisecond
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- runner.Run(rctx) }()
	adminPub, err := bus.NewBulletins(ctx, admin.JS)
	if err != nil {
		t.Fatal(err)
	}
	natstest.WaitFor(t, time.Minute, "the scheduled bulletin to go out", func() bool {
		rev, _, err := adminPub.Latest(ctx, "toc-de-queda")
		return err == nil && rev.Rev == 1
	})
	natstest.WaitFor(t, time.Minute, "the schedule to be removed", func() bool {
		_, err := store.Get(ctx, "toc-de-queda")
		return errors.Is(err, schedule.ErrNotFound)
	})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	for _, bucket := range []string{"ACCOUNTS", "SESSIONS", "TOKENS"} {
		kv, err := bus.BindKeyValue(ctx, editor.JS, bucket)
		if err != nil {
			t.Fatalf("editor binds to bucket %s: %v", bucket, err)
		}
		if st, err := kv.Status(ctx); err != nil || st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.Replicas != 3 {
			t.Fatalf("bucket %s: %v; want three replicas", bucket, err)
		}
		if _, err := kv.Put(ctx, "anna", []byte(`{"role":"publisher"}`)); err != nil {
			t.Fatalf("editor writes to %s: %v", bucket, err)
		}
		if e, err := kv.Get(ctx, "anna"); err != nil || string(e.Value()) != `{"role":"publisher"}` {
			t.Fatalf("editor reads %s: %v", bucket, err)
		}
		lister, err := kv.ListKeys(ctx)
		if err != nil {
			t.Fatalf("editor lists %s: %v", bucket, err)
		}
		var keys []string
		for k := range lister.Keys() {
			keys = append(keys, k)
		}
		if len(keys) != 1 {
			t.Fatalf("%s keys = %v", bucket, keys)
		}
	}
}
