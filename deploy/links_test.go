package deploy_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/tghtml"
)

// TestTelegramFollowsBroadcastLinksWithItsOwnPermissions does, with the Telegram
// credentials on the cluster, what its broadcast-link watcher and routing profile need:
// read and watch YouTube's records, ask its own worker for a refresh (a re-drive of
// telegram), and write the routing profile the editor then reads with its own.
func TestTelegramFollowsBroadcastLinksWithItsOwnPermissions(t *testing.T) {
	c, admin := startCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adminStore, err := delivery.NewStore(ctx, admin.JS)
	if err != nil {
		t.Fatal(err)
	}
	yt := &delivery.Record{ID: "roda", Channel: bulletin.YouTube, Rev: 1, State: delivery.Delivered, Carried: 1,
		Ref: delivery.Ref{URL: "https://www.youtube.com/watch?v=pAeRiA12345"}, Updated: time.Now().UTC()}
	if _, err := adminStore.Put(ctx, yt, 0); err != nil {
		t.Fatal(err)
	}
	tg := c.Connect(creds.Telegram)
	store, err := delivery.NewStore(ctx, tg.JS)
	if err != nil {
		t.Fatal(err)
	}
	if rec, _, err := store.Get(ctx, "roda", bulletin.YouTube); err != nil || rec == nil || rec.Ref.URL != yt.Ref.URL {
		t.Fatalf("telegram reads the youtube record: %+v, %v", rec, err)
	}
	kv, err := tg.JS.KeyValue(ctx, bus.BucketDeliveries)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(ctx, "*."+bulletin.YouTube)
	if err != nil {
		t.Fatalf("telegram watches youtube records: %v", err)
	}
	defer func() { _ = w.Stop() }()
	select {
	case e := <-w.Updates():
		var rec delivery.Record
		if e == nil || json.Unmarshal(e.Value(), &rec) != nil || rec.ID != "roda" {
			t.Fatalf("watch gave %v", e)
		}
	case <-ctx.Done():
		t.Fatal("the watch gave nothing")
	}
	if _, err := tg.JS.Publish(ctx, "redrive.telegram.roda", nil, jetstream.WithExpectStream(bus.StreamBulletins)); err != nil {
		t.Fatalf("telegram asks its own worker for a refresh: %v", err)
	}
	posts, err := tg.JS.KeyValue(ctx, bus.BucketTelegramPosts)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(tghtml.Routing{Default: "@lapaeriaexplica", Lang: "ca"})
	if _, err := posts.Put(ctx, tghtml.RoutingKey, data); err != nil {
		t.Fatalf("telegram writes its routing profile: %v", err)
	}
	editorPosts, err := c.Connect(creds.Editor).JS.KeyValue(ctx, bus.BucketTelegramPosts)
	if err != nil {
		t.Fatalf("the editor binds to TELEGRAM_POSTS: %v", err)
	}
	if _, err := editorPosts.Get(ctx, tghtml.RoutingKey); err != nil {
		t.Fatalf("the editor reads the routing profile: %v", err)
	}
}
