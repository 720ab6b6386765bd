package deploy_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// TestEachServiceDoesItsJobWithItsOwnCredentials runs the whole flow with one user per
// service: the editor publishes, each channel's worker delivers and records, and the
// editor re-drives a dead delivery.
func TestEachServiceDoesItsJobWithItsOwnCredentials(t *testing.T) {
	c, admin := startCluster(t)
	ctx := context.Background()
	adminStore, err := delivery.NewStore(ctx, admin.JS)
	if err != nil {
		t.Fatal(err)
	}

	channels := map[string]*postChannel{}
	for _, name := range allChannels {
		channels[name] = newPostChannel()
	}
	// YouTube refuses the first bulletin once, so the editor has a dead delivery to re-drive.
	var refused sync.Once
	channels[bulletin.YouTube].failOn = func(job delivery.Job) error {
		var err error
		if job.Revision.ID == "confinament" {
			refused.Do(func() { err = delivery.Permanent(errors.New("live broadcast quota exceeded")) })
		}
		return err
	}
	for _, name := range allChannels {
		runWorker(t, c, name, channels[name], 1, nil)
	}

	editor := c.Connect(creds.Editor)
	if err := bus.CheckLayout(ctx, editor.JS, bus.UserEditor); err != nil {
		t.Fatalf("editor binds to the layout the admin set up: %v", err)
	}
	pub, err := bus.NewBulletins(ctx, editor.JS)
	if err != nil {
		t.Fatalf("editor binds to the stream: %v", err)
	}
	p, err := pub.Publish(ctx, sampleBulletin("confinament"), "comunicacio")
	if err != nil || !p.Changed || p.Revision.Rev != 1 {
		t.Fatalf("editor publish = %+v, %v; want revision 1", p, err)
	}
	waitRecord(t, adminStore, "confinament", bulletin.Telegram, delivery.Delivered)
	waitRecord(t, adminStore, "confinament", bulletin.Web, delivery.Delivered)
	dead := waitRecord(t, adminStore, "confinament", bulletin.YouTube, delivery.Dead)
	if !strings.Contains(dead.Error, "quota") {
		t.Fatalf("dead youtube record error = %q, want the channel's reason", dead.Error)
	}

	editorStore, err := delivery.NewStore(ctx, editor.JS)
	if err != nil {
		t.Fatal(err)
	}
	if err := delivery.Redrive(ctx, editorStore, pub, "confinament", bulletin.YouTube, "comunicacio"); err != nil {
		t.Fatalf("editor re-drives the dead delivery: %v", err)
	}
	rec := waitRecord(t, adminStore, "confinament", bulletin.YouTube, delivery.Delivered)
	if rec.Rev != 1 || rec.Carried != 1 {
		t.Fatalf("re-driven record = %+v, want delivered revision 1", rec)
	}
	st, err := delivery.GetStatus(ctx, pub, editorStore, "confinament")
	if err != nil {
		t.Fatalf("editor reads the status: %v", err)
	}
	for _, cs := range st.Channels {
		if cs.State != delivery.Delivered {
			t.Errorf("status on %s = %s, want delivered", cs.Channel, cs.State)
		}
	}
	for _, name := range allChannels {
		if got := channels[name].Posts(); len(got) != 1 || got[0] != "confinament@1" {
			t.Errorf("%s shows %v, want [confinament@1]", name, got)
		}
	}

	// The page follows every bulletin and watches every record (for YouTube links); the
	// editor reads histories. Both with ordered consumers their users may create.
	web := c.Connect(creds.Web)
	webPub, err := bus.NewBulletins(ctx, web.JS)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	if err := webPub.EachLatest(ctx, func(r *bulletin.Revision) error { seen = append(seen, r.Key()); return nil }); err != nil {
		t.Fatalf("web follows the bulletins: %v", err)
	}
	if len(seen) != 1 || seen[0] != "confinament@1" {
		t.Fatalf("web sees %v, want [confinament@1]", seen)
	}
	webStore, err := delivery.NewStore(ctx, web.JS)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	recs, err := webStore.Watch(wctx)
	if err != nil {
		t.Fatalf("web watches the records: %v", err)
	}
	for rec := range recs {
		if rec.Channel == bulletin.YouTube && rec.State == delivery.Delivered {
			break
		}
	}
	if wctx.Err() != nil {
		t.Fatal("web never saw the youtube record")
	}
	hist, err := pub.History(ctx, "confinament")
	if err != nil || len(hist) != 1 {
		t.Fatalf("editor reads the history: %d revisions, %v", len(hist), err)
	}
	trail, err := editorStore.History(ctx, "confinament", bulletin.YouTube)
	if err != nil || len(trail) != 3 {
		t.Fatalf("editor reads the audit trail: %d versions, %v; want dead, pending, delivered", len(trail), err)
	}
}

// TestYouTubeQuotaBucketWithItsOwnPermissions: with its own credentials, on three
// replicas, the YouTube worker binds to its quota bucket, which the admin's set-up made
// (twice, as two replicas starting together do), adds its spending with compare-and-set
// and reads the day back.
func TestYouTubeQuotaBucketWithItsOwnPermissions(t *testing.T) {
	c, _ := startCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := live.Config{DailyQuota: live.DefaultDailyQuota, BusReplicas: clusterTopology.Replicas}
	var quotas []*live.Quota
	for range 2 {
		q, err := live.OpenQuota(ctx, c.Connect(creds.YouTube).JS, cfg)
		if err != nil {
			t.Fatalf("youtube binds to its quota bucket: %v", err)
		}
		quotas = append(quotas, q)
	}
	for _, q := range quotas {
		if _, err := q.Spend(ctx, live.CostWrite); err != nil {
			t.Fatalf("youtube adds to its quota account: %v", err)
		}
	}
	if _, err := quotas[0].MarkExhausted(ctx); err != nil {
		t.Fatalf("youtube records the exhaustion: %v", err)
	}
	st, err := quotas[1].Status(ctx)
	if err != nil || st.Spent != 2*live.CostWrite || !st.Exhausted {
		t.Fatalf("the other replica reads %+v, %v; want both writes and the exhaustion", st, err)
	}
}

// refusal is something a service's credentials must not allow.
type refusal struct {
	name string
	user string
	// do tries it with the real shared code or client; it must fail.
	do func(ctx context.Context, conn *bus.Conn) error
	// subject is what the server names in its permissions violation.
	subject string
	// unchanged checks, as admin, that nothing happened.
	unchanged func(ctx context.Context, t *testing.T)
}

// TestEachServiceIsRefusedWhatIsNotItsJob tries, with each service's own credentials,
// what that service must never do, and checks both that the server refused it (a
// permissions violation naming the subject) and that nothing changed on the bus.
func TestEachServiceIsRefusedWhatIsNotItsJob(t *testing.T) {
	c, admin := startCluster(t)
	ctx := context.Background()
	adminPub, err := bus.NewBulletins(ctx, admin.JS)
	if err != nil {
		t.Fatal(err)
	}
	adminStore, err := delivery.NewStore(ctx, admin.JS)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range allChannels {
		if _, err := bus.Consumer(ctx, admin.JS, ch, clusterTopology); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := adminPub.Publish(ctx, sampleBulletin("existent"), "admin"); err != nil {
		t.Fatal(err)
	}
	noBulletin := func(id string) func(context.Context, *testing.T) {
		return func(ctx context.Context, t *testing.T) {
			if _, _, err := adminPub.Latest(ctx, id); !errors.Is(err, bus.ErrNotFound) {
				t.Errorf("bulletin %s is on the bus (err %v)", id, err)
			}
		}
	}
	noRecord := func(id, channel string) func(context.Context, *testing.T) {
		return func(ctx context.Context, t *testing.T) {
			if rec, _, err := adminStore.Get(ctx, id, channel); err != nil || rec != nil {
				t.Errorf("record %s.%s = %+v, %v; want none", id, channel, rec, err)
			}
		}
	}
	streamIntact := func(ctx context.Context, t *testing.T) {
		s, err := admin.JS.Stream(ctx, bus.StreamBulletins)
		if err != nil {
			t.Fatalf("stream gone: %v", err)
		}
		info, err := s.Info(ctx)
		if err != nil || info.Config.Replicas != 3 || info.State.Msgs < 1 {
			t.Errorf("stream changed: %+v, %v", info, err)
		}
	}
	consumerUntouched := func(channel string) func(context.Context, *testing.T) {
		return func(ctx context.Context, t *testing.T) {
			cons, err := admin.JS.Consumer(ctx, bus.StreamBulletins, channel)
			if err != nil {
				t.Fatalf("consumer %s: %v", channel, err)
			}
			info, err := cons.Info(ctx)
			if err != nil || info.Delivered.Consumer != 0 || info.Config.Replicas != 3 {
				t.Errorf("consumer %s was used or changed: %+v, %v", channel, info, err)
			}
		}
	}
	publishAs := func(id string) func(context.Context, *bus.Conn) error {
		return func(ctx context.Context, conn *bus.Conn) error {
			pub, err := bus.NewBulletins(ctx, conn.JS)
			if err != nil {
				return err
			}
			_, err = pub.Publish(ctx, sampleBulletin(id), "intruder")
			return err
		}
	}
	putRecord := func(id, channel string) func(context.Context, *bus.Conn) error {
		return func(ctx context.Context, conn *bus.Conn) error {
			store, err := delivery.NewStore(ctx, conn.JS)
			if err != nil {
				return err
			}
			_, err = store.Put(ctx, &delivery.Record{ID: id, Channel: channel, Rev: 1, State: delivery.Delivered}, 0)
			return err
		}
	}
	takeWork := func(channel string) func(context.Context, *bus.Conn) error {
		return func(ctx context.Context, conn *bus.Conn) error {
			// Straight to the pull request, as a worker's fetch does.
			_, err := conn.NC.RequestWithContext(ctx, "$JS.API.CONSUMER.MSG.NEXT.BULLETINS."+channel, []byte(`{"batch":1}`))
			return err
		}
	}

	cases := []refusal{
		{name: "telegram_worker_publishes_a_bulletin", user: creds.Telegram, do: publishAs("fals-telegram"),
			subject: "bulletins.fals-telegram", unchanged: noBulletin("fals-telegram")},
		{name: "youtube_worker_publishes_a_bulletin", user: creds.YouTube, do: publishAs("fals-youtube"),
			subject: "bulletins.fals-youtube", unchanged: noBulletin("fals-youtube")},
		{name: "web_publishes_a_bulletin", user: creds.Web, do: publishAs("fals-web"),
			subject: "bulletins.fals-web", unchanged: noBulletin("fals-web")},
		{name: "web_writes_a_telegram_delivery_record", user: creds.Web, do: putRecord("existent", bulletin.Telegram),
			subject: "$KV.DELIVERIES.existent.telegram", unchanged: noRecord("existent", bulletin.Telegram)},
		{name: "telegram_writes_a_youtube_delivery_record", user: creds.Telegram, do: putRecord("existent", bulletin.YouTube),
			subject: "$KV.DELIVERIES.existent.youtube", unchanged: noRecord("existent", bulletin.YouTube)},
		{name: "youtube_writes_a_web_delivery_record", user: creds.YouTube, do: putRecord("existent", bulletin.Web),
			subject: "$KV.DELIVERIES.existent.web", unchanged: noRecord("existent", bulletin.Web)},
		// Telegram reads YouTube's records (a live post's broadcast link), no other channel's.
		{name: "telegram_reads_a_web_delivery_record", user: creds.Telegram,
			do: func(ctx context.Context, conn *bus.Conn) error {
				store, err := delivery.NewStore(ctx, conn.JS)
				if err != nil {
					return err
				}
				_, _, err = store.Get(ctx, "existent", bulletin.Web)
				return err
			},
			subject: "$KV.DELIVERIES.existent.web", unchanged: func(context.Context, *testing.T) {}},
		// It may re-drive its own channel (to refresh a post), never another's.
		{name: "telegram_redrives_youtube", user: creds.Telegram,
			do: func(ctx context.Context, conn *bus.Conn) error {
				_, err := conn.JS.Publish(ctx, "redrive.youtube.existent", nil)
				return err
			},
			subject: "redrive.youtube.existent", unchanged: func(context.Context, *testing.T) {}},
		{name: "web_schedules_a_bulletin", user: creds.Web,
			do: func(ctx context.Context, conn *bus.Conn) error {
				// Straight to the bucket's subject, as a key-value put does.
				_, err := conn.JS.Publish(ctx, "$KV."+bus.BucketSchedules+".fals-web", []byte("{}"))
				return err
			},
			subject: "$KV.SCHEDULES.fals-web", unchanged: func(ctx context.Context, t *testing.T) {
				kv, err := admin.JS.KeyValue(ctx, bus.BucketSchedules)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := kv.Get(ctx, "fals-web"); !errors.Is(err, jetstream.ErrKeyNotFound) {
					t.Errorf("schedule fals-web exists (err %v)", err)
				}
			}},
		{name: "telegram_writes_the_youtube_quota", user: creds.Telegram,
			do: func(ctx context.Context, conn *bus.Conn) error {
				_, err := conn.JS.Publish(ctx, "$KV."+live.BucketQuota+".project", []byte(`{"spent":0}`))
				return err
			},
			subject: "$KV.YOUTUBE_QUOTA.project", unchanged: func(context.Context, *testing.T) {}},
		{name: "telegram_takes_work_from_the_youtube_consumer", user: creds.Telegram, do: takeWork(bulletin.YouTube),
			subject: "CONSUMER.MSG.NEXT.BULLETINS.youtube", unchanged: consumerUntouched(bulletin.YouTube)},
		{name: "web_takes_work_from_the_telegram_consumer", user: creds.Web, do: takeWork(bulletin.Telegram),
			subject: "CONSUMER.MSG.NEXT.BULLETINS.telegram", unchanged: consumerUntouched(bulletin.Telegram)},
		{name: "editor_takes_work_from_the_web_consumer", user: creds.Editor, do: takeWork(bulletin.Web),
			subject: "CONSUMER.MSG.NEXT.BULLETINS.web", unchanged: consumerUntouched(bulletin.Web)},
		{name: "web_sets_the_bus_up_with_one_replica", user: creds.Web,
			do:      func(ctx context.Context, conn *bus.Conn) error { return bus.Setup(ctx, conn.JS, bus.Topology{}) },
			subject: "STREAM.UPDATE.BULLETINS", unchanged: streamIntact},
		{name: "telegram_sets_the_bus_up", user: creds.Telegram,
			do:      func(ctx context.Context, conn *bus.Conn) error { return bus.Setup(ctx, conn.JS, clusterTopology) },
			subject: "STREAM.UPDATE.BULLETINS", unchanged: streamIntact},
		{name: "editor_sets_the_bus_up", user: creds.Editor,
			do:      func(ctx context.Context, conn *bus.Conn) error { return bus.Setup(ctx, conn.JS, clusterTopology) },
			subject: "STREAM.UPDATE.BULLETINS", unchanged: streamIntact},
		// The security issue's case: max_msgs=1 took the bulletins' history from 3 to 1.
		{name: "editor_shrinks_the_bulletins_history", user: creds.Editor,
			do: func(ctx context.Context, conn *bus.Conn) error {
				cfg := bus.Layout(clusterTopology)[0].Stream
				shrunk := *cfg
				shrunk.MaxMsgs = 1
				_, err := conn.JS.UpdateStream(ctx, shrunk)
				return err
			},
			subject: "STREAM.UPDATE.BULLETINS", unchanged: func(ctx context.Context, t *testing.T) {
				streamIntact(ctx, t)
				s, err := admin.JS.Stream(ctx, bus.StreamBulletins)
				if err != nil {
					t.Fatal(err)
				}
				if info, err := s.Info(ctx); err != nil || info.Config.MaxMsgs != -1 {
					t.Errorf("bulletins' max_msgs = %+v, %v; want -1 (unlimited)", info.Config.MaxMsgs, err)
				}
			}},
		{name: "youtube_recreates_its_quota_bucket", user: creds.YouTube,
			do: func(ctx context.Context, conn *bus.Conn) error {
				_, err := conn.JS.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: live.BucketQuota, History: 1})
				return err
			},
			subject: "STREAM.UPDATE.KV_YOUTUBE_QUOTA", unchanged: func(ctx context.Context, t *testing.T) {
				kv, err := admin.JS.KeyValue(ctx, live.BucketQuota)
				if err != nil {
					t.Fatal(err)
				}
				if st, err := kv.Status(ctx); err != nil || st.History() != 8 {
					t.Errorf("quota bucket after the attempt: %v; want the set-up's history 8", err)
				}
			}},
		{name: "editor_purges_the_bulletins_stream", user: creds.Editor,
			do: func(ctx context.Context, conn *bus.Conn) error {
				s, err := conn.JS.Stream(ctx, bus.StreamBulletins)
				if err != nil {
					return err
				}
				return s.Purge(ctx)
			},
			subject: "STREAM.PURGE.BULLETINS", unchanged: streamIntact},
		{name: "telegram_deletes_the_bulletins_stream", user: creds.Telegram,
			do:      func(ctx context.Context, conn *bus.Conn) error { return conn.JS.DeleteStream(ctx, bus.StreamBulletins) },
			subject: "STREAM.DELETE.BULLETINS", unchanged: streamIntact},
		{name: "editor_deletes_the_bulletins_stream", user: creds.Editor,
			do:      func(ctx context.Context, conn *bus.Conn) error { return conn.JS.DeleteStream(ctx, bus.StreamBulletins) },
			subject: "STREAM.DELETE.BULLETINS", unchanged: streamIntact},
		{name: "web_deletes_its_own_durable_consumer", user: creds.Web,
			do: func(ctx context.Context, conn *bus.Conn) error {
				return conn.JS.DeleteConsumer(ctx, bus.StreamBulletins, bulletin.Web)
			},
			subject: "CONSUMER.DELETE.BULLETINS.web", unchanged: consumerUntouched(bulletin.Web)},
		{name: "telegram_listens_to_bulletins_outside_jetstream", user: creds.Telegram,
			do: func(ctx context.Context, conn *bus.Conn) error {
				sub, err := conn.NC.SubscribeSync("bulletins.>")
				if err != nil {
					return err
				}
				_, err = sub.NextMsgWithContext(ctx)
				return err
			},
			subject: "bulletins.>", unchanged: func(context.Context, *testing.T) {}},
	}

	type result struct {
		err     error
		lastErr error
	}
	results := make([]result, len(cases))
	var wg sync.WaitGroup
	for i, tc := range cases {
		conn := c.Connect(tc.user)
		// The violation is read from LastError below; keep nats.go from printing it.
		conn.NC.SetErrorHandler(func(*nats.Conn, *nats.Subscription, error) {})
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			results[i].err = tc.do(ctx, conn)
			// The server reports the violation asynchronously; wait for it.
			deadline := time.Now().Add(10 * time.Second)
			for conn.NC.LastError() == nil && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			results[i].lastErr = conn.NC.LastError()
		})
	}
	wg.Wait()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := results[i]
			if r.err == nil {
				t.Fatalf("%s was allowed to do it", tc.user)
			}
			if !errors.Is(r.lastErr, nats.ErrPermissionViolation) || !strings.Contains(r.lastErr.Error(), tc.subject) {
				t.Errorf("server's answer = %v, want a permissions violation on %q (call returned %v)", r.lastErr, tc.subject, r.err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			tc.unchanged(ctx, t)
		})
	}
}

// TestOnlyKnownKeysSignIn: a client without credentials, or with a key the cluster does
// not know, is turned away at the door.
func TestOnlyKnownKeysSignIn(t *testing.T) {
	c, _ := startCluster(t)
	stranger, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	seed, err := stranger.Seed()
	if err != nil {
		t.Fatal(err)
	}
	strangerFile := t.TempDir() + "/stranger.nk"
	if err := writeFile(strangerFile, seed); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cfg  bus.ConnConfig
	}{
		{"no_credentials", bus.ConnConfig{URL: c.URL(), Name: "anonymous", CAFile: c.CAFile()}},
		{"unknown_key", bus.ConnConfig{URL: c.URL(), Name: "stranger", NkeySeedFile: strangerFile, CAFile: c.CAFile()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, err := bus.Connect(ctx, tc.cfg)
			if err == nil {
				conn.NC.Close()
				t.Fatal("connected")
			}
			if !errors.Is(err, nats.ErrAuthorization) {
				t.Fatalf("err = %v, want an authorization violation", err)
			}
			if strings.Contains(err.Error(), string(seed)) {
				t.Fatalf("error shows the seed: %v", err)
			}
		})
	}
}
