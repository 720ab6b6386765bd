package schedule_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/schedule"
	"github.com/paeria/pregoner/shared/testenv"
)

type env struct {
	srv   *natstest.Server
	pub   *bus.Bulletins
	store *schedule.Store
}

func connect(t *testing.T, srv *natstest.Server) env {
	t.Helper()
	conn := srv.Connect("test")
	pub, err := bus.NewBulletins(context.Background(), conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	store, err := schedule.NewStore(context.Background(), conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	return env{srv: srv, pub: pub, store: store}
}

func runner(t *testing.T, e env, c *testenv.Clock) (stop func()) {
	t.Helper()
	r := schedule.NewRunner(e.store, e.pub, nil, c.Now)
	r.Tick = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

func entry(id, body string, at time.Time) schedule.Entry {
	return schedule.Entry{At: at, Author: "anna",
		Bulletin: &bulletin.Bulletin{ID: id, Title: "T", Lang: "ca", Group: id, Channels: []string{"web"}, Body: body}}
}

var t0 = time.Date(2020, 3, 14, 20, 0, 0, 0, time.UTC)

func TestScheduleSurvivesARestartAndGoesOutOnTimeNotBefore(t *testing.T) {
	e := connect(t, natstest.Start(t))
	c := testenv.NewClock(t0)
	if err := e.store.Put(context.Background(), entry("confinament", "Queda't a casa.", t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	stop := runner(t, e, c)
	time.Sleep(100 * time.Millisecond) // ten ticks before it is due
	if _, _, err := e.pub.Latest(context.Background(), "confinament"); !errors.Is(err, bus.ErrNotFound) {
		t.Fatalf("published before its time: %v", err)
	}
	stop()
	e.srv.Restart() // the whole bus goes down and comes back
	e = connect(t, e.srv)
	c.Set(t0.Add(time.Hour))
	runner(t, e, c)
	natstest.WaitFor(t, 10*time.Second, "the scheduled publish", func() bool {
		_, _, err := e.pub.Latest(context.Background(), "confinament")
		return err == nil
	})
	rev, _, _ := e.pub.Latest(context.Background(), "confinament")
	if rev.Rev != 1 || rev.Author != "anna" || rev.Bulletin.Body != "Queda't a casa." {
		t.Errorf("published %+v", rev)
	}
	natstest.WaitFor(t, 10*time.Second, "the schedule to be removed", func() bool {
		_, err := e.store.Get(context.Background(), "confinament")
		return errors.Is(err, schedule.ErrNotFound)
	})
}

func TestScheduleCanBeChangedAndCancelledUntilDue(t *testing.T) {
	e := connect(t, natstest.Start(t))
	ctx := context.Background()
	c := testenv.NewClock(t0)
	if err := e.store.Put(ctx, entry("a", "primera", t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Put(ctx, entry("a", "segona", t0.Add(2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Put(ctx, entry("b", "cancel·lada", t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	list, err := e.store.List(ctx)
	if err != nil || len(list) != 2 || list[0].Bulletin.ID != "b" || list[1].Bulletin.Body != "segona" {
		t.Fatalf("list = %+v, %v; want b then a (replaced)", list, err)
	}
	if err := e.store.Cancel(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Cancel(ctx, "b"); !errors.Is(err, schedule.ErrNotFound) {
		t.Errorf("second cancel: %v, want ErrNotFound", err)
	}
	runner(t, e, c)
	c.Set(t0.Add(90 * time.Minute)) // past a's first time, before its new one
	time.Sleep(100 * time.Millisecond)
	if _, _, err := e.pub.Latest(ctx, "a"); !errors.Is(err, bus.ErrNotFound) {
		t.Fatal("went out at the replaced time")
	}
	c.Set(t0.Add(2 * time.Hour))
	natstest.WaitFor(t, 10*time.Second, "a to go out", func() bool {
		rev, _, err := e.pub.Latest(ctx, "a")
		return err == nil && rev.Bulletin.Body == "segona"
	})
	if _, _, err := e.pub.Latest(ctx, "b"); !errors.Is(err, bus.ErrNotFound) {
		t.Error("a cancelled schedule went out")
	}
}
