package site_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// The live stream tells an open page about a new bulletin; the page it then fetches
// shows it.
func TestLiveStreamAnnouncesChanges(t *testing.T) {
	e := newEnv(t, testConfig())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.url+"/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type %q", ct)
	}
	events := make(chan string, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- d
			}
		}
	}()
	next := func(what string) string {
		t.Helper()
		select {
		case d, ok := <-events:
			if !ok {
				t.Fatalf("stream ended waiting for %s", what)
			}
			return d
		case <-time.After(waitLimit):
			t.Fatalf("no event for %s within %s", what, waitLimit)
		}
		return ""
	}
	first := next("the opening event")
	e.publish(&bulletin.Bulletin{ID: "nou", Title: "Un comunicat nou", Body: "Ara mateix."})
	second := next("the new bulletin")
	if second == first {
		t.Errorf("the event after a publish carries the same version %s", first)
	}
	e.waitBody("/ca/", nil, http.StatusOK, "Un comunicat nou")

	// Shutting the service down ends the stream instead of hanging the shutdown.
	e.stop()
	natstest.WaitFor(t, waitLimit, "the stream to end", func() bool {
		select {
		case _, ok := <-events:
			return !ok
		default:
			return false
		}
	})
}

// A live announcement shows its start time, and its watch link once the YouTube worker
// records the broadcast; a link that is not http(s) is never shown.
func TestLiveAnnouncementShowsWatchLinkFromDeliveryRecord(t *testing.T) {
	e := newEnv(t, testConfig())
	start := time.Date(2020, 3, 16, 11, 0, 0, 0, time.UTC)
	e.publish(&bulletin.Bulletin{ID: "roda-premsa", Title: "Roda de premsa del paer en cap",
		Channels: []string{bulletin.YouTube, bulletin.Web}, Live: &bulletin.Live{Start: start, Title: "Roda de premsa"},
		Body: "En directe des de la Paeria."})
	e.waitRecord("roda-premsa", 1, delivery.Delivered)
	r := e.waitBody("/bulletins/roda-premsa", nil, http.StatusOK, "Emissió en directe")
	if !strings.Contains(r.body, `<time datetime="2020-03-16T11:00:00Z">16/03/2020 12:00</time>`) {
		t.Errorf("start time not shown in Lleida time:\n%s", r.body)
	}
	if strings.Contains(r.body, "Mira-la a YouTube") {
		t.Errorf("watch link shown before the broadcast exists")
	}

	put := func(url string, carried int, state delivery.State) {
		t.Helper()
		e.putYouTube("roda-premsa", carried, state, delivery.Ref{URL: url, IDs: []string{"abc123"}})
	}
	put("javascript:alert(1)", 1, delivery.Delivered)
	put("https://www.youtube.com/watch?v=abc123", 1, delivery.Delivered)
	for _, path := range []string{"/bulletins/roda-premsa", "/ca/"} {
		r = e.waitBody(path, nil, http.StatusOK, `href="https://www.youtube.com/watch?v=abc123"`)
		if strings.Contains(r.body, "javascript:") {
			t.Errorf("%s shows a javascript: link", path)
		}
	}
	// The broadcast is withdrawn: the link goes.
	put("https://www.youtube.com/watch?v=abc123", 0, delivery.Retracted)
	natstest.WaitFor(t, waitLimit, "the watch link to go", func() bool {
		return !strings.Contains(e.get("/bulletins/roda-premsa", nil).body, "youtube.com")
	})
}

// A broadcast the YouTube worker scheduled in its local sandbox reached nobody, and its
// address is a loopback one: the page and the feeds never link it, and read as if the
// broadcast did not exist yet. A real broadcast next to it is linked.
func TestSandboxBroadcastIsNeverLinked(t *testing.T) {
	e := newEnv(t, testConfig())
	live := func(id, title string) {
		e.publish(&bulletin.Bulletin{ID: id, Title: title, Channels: []string{bulletin.YouTube, bulletin.Web},
			Live: &bulletin.Live{Start: time.Date(2020, 3, 16, 11, 0, 0, 0, time.UTC), Title: title}, Body: "En directe."})
		e.waitRecord(id, 1, delivery.Delivered)
	}
	live("roda-sandbox", "Roda de premsa de prova")
	live("roda-real", "Roda de premsa")
	const sandboxURL = "http://127.0.0.1:8083/watch?v=sbx123"
	const realURL = "https://www.youtube.com/watch?v=real123"
	e.putYouTube("roda-sandbox", 1, delivery.Delivered, delivery.Ref{URL: sandboxURL, IDs: []string{"sbx123"}, Sandbox: true})
	// The records are watched in order: once the later, real one shows, the sandbox
	// one has been applied too.
	e.putYouTube("roda-real", 1, delivery.Delivered, delivery.Ref{URL: realURL, IDs: []string{"real123"}})
	e.waitBody("/bulletins/roda-real", nil, http.StatusOK, `href="`+realURL+`"`)

	noSandbox := func(when string) {
		t.Helper()
		for _, path := range []string{"/", "/ca/", "/es/", "/bulletins/roda-sandbox", "/bulletins/roda-real", "/feed.atom", "/feed.json"} {
			r := e.get(path, nil)
			if r.status != http.StatusOK {
				t.Fatalf("%s: GET %s answered %d", when, path, r.status)
			}
			for _, bad := range []string{"127.0.0.1:8083", "sbx123"} {
				if strings.Contains(r.body, bad) {
					t.Errorf("%s: %s shows the sandbox's %q", when, path, bad)
				}
			}
		}
		if r := e.get("/bulletins/roda-sandbox", nil); strings.Contains(r.body, "Mira-la a YouTube") {
			t.Errorf("%s: the sandbox broadcast has a watch link:\n%s", when, r.body)
		}
	}
	noSandbox("next to a real broadcast")
	if r := e.get("/ca/", nil); !strings.Contains(r.body, `href="`+realURL+`"`) {
		t.Errorf("/ca/ does not link the real broadcast")
	}

	// A broadcast linked once and then recorded as a sandbox's loses its link.
	e.putYouTube("roda-real", 1, delivery.Delivered, delivery.Ref{URL: sandboxURL, IDs: []string{"sbx123"}, Sandbox: true})
	natstest.WaitFor(t, waitLimit, "the real link to go", func() bool {
		return !strings.Contains(e.get("/bulletins/roda-real", nil).body, realURL)
	})
	noSandbox("after a real record became a sandbox's")
}

// The feed is rebuilt from the bus after the service restarts, and follows the bus
// through a NATS restart: it is never a second source of truth.
func TestFeedSurvivesServiceAndBusRestarts(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "u", Title: "Primer", Body: "1"})
	e.publish(&bulletin.Bulletin{ID: "v", Title: "Segon", Body: "2"})
	e.publish(&bulletin.Bulletin{ID: "v", Title: "Segon, corregit", Body: "2b"})
	e.publish(&bulletin.Bulletin{ID: "w", Title: "Tercer", Body: "3"})
	e.retract("w")
	e.waitRecord("w", 2, delivery.Retracted)
	before := e.get("/ca/", nil)
	e.stop()

	// Published while the page is down: the new process must show it too.
	e.publish(&bulletin.Bulletin{ID: "x", Title: "Mentre estava aturat", Body: "4"})
	e.start(testConfig())
	after := e.get("/ca/", nil)
	for _, want := range []string{"Primer", "Segon, corregit", "Mentre estava aturat"} {
		if !strings.Contains(after.body, want) {
			t.Errorf("after restart %q is missing", want)
		}
	}
	if strings.Contains(after.body, "Tercer") {
		t.Errorf("after restart the retracted bulletin is back")
	}
	if r := e.get("/bulletins/w", nil); r.status != http.StatusGone {
		t.Errorf("retracted permalink after restart: %d, want 410", r.status)
	}
	if !strings.Contains(before.body, "Segon, corregit") {
		t.Errorf("before restart the edit was missing")
	}
	e.waitRecord("x", 1, delivery.Delivered)

	// The bus restarts under the running page; it carries on.
	e.srv.Restart()
	natstest.WaitFor(t, 20*time.Second, "publishing after the bus restart", func() bool {
		_, err := e.pub.Publish(context.Background(), &bulletin.Bulletin{ID: "y", Title: "Després del reinici", Lang: "ca",
			Group: "y", Channels: []string{bulletin.Web}, Body: "5"}, "premsa")
		return err == nil
	})
	e.waitRecord("y", 1, delivery.Delivered)
	e.waitBody("/ca/", nil, http.StatusOK, "Després del reinici")
}
