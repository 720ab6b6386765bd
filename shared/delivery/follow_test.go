package delivery_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

func TestWatchURL(t *testing.T) {
	yt := "https://www.youtube.com/watch?v=a"
	for _, c := range []struct {
		name    string
		rec     *delivery.Record
		sandbox bool // the reader is a sandbox itself
		want    string
	}{
		{"delivered_https", &delivery.Record{Carried: 1, State: delivery.Delivered, Ref: delivery.Ref{URL: yt}}, false, yt},
		{"failed_edit_still_carried", &delivery.Record{Carried: 1, State: delivery.Failed, Ref: delivery.Ref{URL: "https://youtu.be/a"}}, false, "https://youtu.be/a"},
		{"not_yet_carried", &delivery.Record{State: delivery.Failed, Ref: delivery.Ref{URL: "https://youtu.be/a"}}, false, ""},
		{"retracted", &delivery.Record{Carried: 0, State: delivery.Retracted, Ref: delivery.Ref{URL: "https://youtu.be/a"}}, false, ""},
		{"no_record", nil, false, ""},
		{"javascript", &delivery.Record{Carried: 1, State: delivery.Delivered, Ref: delivery.Ref{URL: "javascript:alert(1)"}}, false, ""},
		{"relative", &delivery.Record{Carried: 1, State: delivery.Delivered, Ref: delivery.Ref{URL: "/watch?v=a"}}, false, ""},
		{"garbage", &delivery.Record{Carried: 1, State: delivery.Delivered, Ref: delivery.Ref{URL: "http://%zz"}}, false, ""},
		{"sandbox", &delivery.Record{Carried: 1, State: delivery.Delivered, Ref: delivery.Ref{URL: "http://127.0.0.1:8083/watch?v=a", Sandbox: true}}, false, ""},
		{"sandbox_https", &delivery.Record{Carried: 1, State: delivery.Delivered, Ref: delivery.Ref{URL: yt, Sandbox: true}}, false, ""},
		{"sandbox_for_a_sandbox", &delivery.Record{Carried: 1, State: delivery.Delivered, Ref: delivery.Ref{URL: "http://127.0.0.1:8083/watch?v=a", Sandbox: true}}, true, "http://127.0.0.1:8083/watch?v=a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := delivery.WatchURL(c.rec, c.sandbox); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestFollowWatchesOneChannelThroughARestart: a follower of YouTube's records sees the
// current ones first, then changes, never another channel's, and goes on seeing them
// after the server restarts.
func TestFollowWatchesOneChannelThroughARestart(t *testing.T) {
	srv := natstest.Start(t)
	store, err := delivery.NewStore(t.Context(), srv.Connect("test").JS)
	if err != nil {
		t.Fatal(err)
	}
	put := func(id, channel, url string) {
		t.Helper()
		_, last, err := store.Get(t.Context(), id, channel)
		if err != nil {
			t.Fatal(err)
		}
		rec := &delivery.Record{ID: id, Channel: channel, Rev: 1, State: delivery.Delivered, Carried: 1, Ref: delivery.Ref{URL: url}}
		if _, err := store.Put(t.Context(), rec, last); err != nil {
			t.Fatalf("put %s.%s: %v", id, channel, err)
		}
	}
	put("roda", bulletin.YouTube, "https://youtu.be/before")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &testenv.Logs{}
	recs, err := store.Follow(ctx, bulletin.YouTube, 50*time.Millisecond, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	next := func(want string) {
		t.Helper()
		select {
		case rec := <-recs:
			if rec.Channel != bulletin.YouTube {
				t.Fatalf("followed a %s record: %+v", rec.Channel, rec)
			}
			if got := rec.ID + " " + rec.Ref.URL; got != want {
				t.Fatalf("followed %q, want %q", got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no record; want %q", want)
		}
	}
	next("roda https://youtu.be/before")
	put("roda", bulletin.Telegram, "https://t.me/x/1")
	put("ple", bulletin.YouTube, "https://youtu.be/ple")
	next("ple https://youtu.be/ple")

	srv.Restart()
	// After the restart the follower may see the current records again; it must see the
	// change made after it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, last, err := store.Get(t.Context(), "consell", bulletin.YouTube)
		if err == nil && last == 0 {
			rec := &delivery.Record{ID: "consell", Channel: bulletin.YouTube, Rev: 1, State: delivery.Delivered, Carried: 1, Ref: delivery.Ref{URL: "https://youtu.be/consell"}}
			if _, err = store.Put(t.Context(), rec, 0); err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("could not write after the restart: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for seen := false; !seen; {
		select {
		case rec := <-recs:
			if rec.Channel != bulletin.YouTube {
				t.Fatalf("followed a %s record: %+v", rec.Channel, rec)
			}
			seen = rec.ID == "consell"
		case <-time.After(30 * time.Second):
			t.Fatal("the follower did not see a record written after the restart")
		}
	}

	cancel()
	for range recs { // closes once ctx ends
	}
	if _, err := store.Follow(t.Context(), "*", time.Second, slog.New(slog.NewTextHandler(logs, nil))); err == nil {
		t.Error("following channel \"*\" was accepted")
	}
}
