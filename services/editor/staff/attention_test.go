package staff_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// refusingChannel refuses the bulletins it is told to, each with its own error (a
// reason code or none), as Telegram or YouTube would; the others it shows.
type refusingChannel struct {
	mu      sync.Mutex
	refuse  map[string]error
	calls   map[string]int
	shownAt map[string]string
}

func (c *refusingChannel) Deliver(_ context.Context, j delivery.Job) (delivery.Ref, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[j.Revision.ID]++
	if err := c.refuse[j.Revision.ID]; err != nil {
		return delivery.Ref{}, err
	}
	c.shownAt[j.Revision.ID] = j.Revision.Key()
	return delivery.Ref{URL: "test://" + j.Revision.ID}, nil
}

func (c *refusingChannel) Update(ctx context.Context, j delivery.Job) (delivery.Ref, error) {
	return c.Deliver(ctx, j)
}

func (c *refusingChannel) Retract(context.Context, delivery.Job) error { return nil }

func (c *refusingChannel) set(id string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refuse[id] = err
}

// refusing runs a worker for channel that refuses as told, until the test ends.
func (e *env) refusing(channel string) *refusingChannel {
	e.t.Helper()
	ch := &refusingChannel{refuse: map[string]error{}, calls: map[string]int{}, shownAt: map[string]string{}}
	conn := e.nats.Connect("workers-" + channel)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	cfg := delivery.Config{Channel: channel, Poll: 100 * time.Millisecond, MinBackoff: 10 * time.Millisecond, MaxAttempts: 2, Heartbeat: time.Second}
	go func() {
		defer close(done)
		_ = delivery.Serve(ctx, conn.JS, bus.Topology{AckWait: 3 * time.Second}, cfg, ch, 1)
	}()
	e.t.Cleanup(func() { cancel(); <-done })
	return ch
}

func (e *env) publish(id, title string, channels ...string) {
	e.t.Helper()
	b := &bulletin.Bulletin{ID: id, Title: title, Lang: "ca", Channels: channels, Body: "Text de " + title + "."}
	if _, err := e.pub.Publish(context.Background(), b, "anna"); err != nil {
		e.t.Fatal(err)
	}
}

// A delivery that dies is in the audit log once, in the system's name and in words,
// though two editor replicas watch the records; the needs-attention panel names it
// with what to do, and offers Retry only where trying again can help.
func TestDeadDeliveryIsAuditedOnceAndNeedsAttention(t *testing.T) {
	e := newEnv(t)
	e.background()
	// A second replica of the editor on the same bus, with its own watchers.
	conn2 := e.nats.Connect("editor-2")
	svc2, err := staff.NewServiceWith(e.cfg, conn2.JS, nil, staff.Options{Now: e.clock.Now, ScheduleTick: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runBackground(t, svc2)
	tg := e.refusing("telegram")
	tg.set("ple", delivery.PermanentBecause(delivery.ReasonTooLong, errors.New("telegram: send: Bad Request: message is too long")))
	tg.set("avis", delivery.PermanentBecause(delivery.ReasonRights, errors.New("telegram: send: Forbidden: bot is not a member")))
	tg.set("vell", delivery.Permanent(errors.New("telegram: send: Bad Request: something new")))

	e.publish("ple", "Ple municipal", bulletin.Telegram)
	e.waitState("ple", bulletin.Telegram, delivery.Dead)
	e.publish("avis", "Avís de talls", bulletin.Telegram)
	e.waitState("avis", bulletin.Telegram, delivery.Dead)
	e.publish("vell", "Avís vell", bulletin.Telegram)
	e.waitState("vell", bulletin.Telegram, delivery.Dead)
	e.publish("bo", "Tot bé", bulletin.Telegram)
	e.waitState("bo", bulletin.Telegram, delivery.Delivered)

	// Each replica handles the records in order: once the last death is audited, the
	// first has been seen by at least one; both write the same event id, kept once.
	natstest.WaitFor(t, 10*time.Second, "three deaths audited", func() bool { return len(e.audited(audit.DeliveryDead)) >= 3 })
	byTarget := map[string]int{}
	for _, ev := range e.audited(audit.DeliveryDead) {
		byTarget[ev.Target]++
		if ev.Actor != audit.System || ev.OK {
			t.Errorf("dead event %+v: want the system's, not ok", ev)
		}
	}
	for _, target := range []string{"ple@1.telegram", "avis@1.telegram", "vell@1.telegram"} {
		if byTarget[target] != 1 {
			t.Errorf("%s audited %d times, want once (all: %v)", target, byTarget[target], byTarget)
		}
	}
	if got := e.audited(audit.DeliveryDead)[0]; !strings.Contains(got.Detail, "Bad Request") {
		t.Errorf("the newest death's detail %q does not keep the channel's error", got.Detail)
	}

	pub := e.loggedIn("marta", accounts.Publisher)
	page := pub.get("/audit")
	if !strings.Contains(page.body, `data-action="delivery_dead">delivery given up<`) || !strings.Contains(page.body, "<td>system</td>") {
		t.Errorf("the audit page does not show the death in words:\n%s", page.body)
	}

	// Every page: the panel, the bulletin, the channel, the reason in words.
	panel := attentionPanel(t, pub.get("/compose").body)
	for _, want := range []string{"Needs your attention", "Ple municipal", "The text is too long for the channel: shorten it and publish again.",
		"Avís de talls", "The bot may not post in the channel: once it has been given the rights, retry.", "Avís vell", "The channel refused it: retry or tell IT.",
		"message is too long"} {
		if !strings.Contains(panel, want) {
			t.Errorf("the panel lacks %q:\n%s", want, panel)
		}
	}
	if strings.Contains(panel, "Tot bé") {
		t.Error("the panel lists a bulletin that arrived")
	}
	if !retryOffered(panel, "avis") || !retryOffered(panel, "vell") || retryOffered(panel, "ple") {
		t.Errorf("Retry offered for ple %v (an edit is needed), avis %v, vell %v", retryOffered(panel, "ple"), retryOffered(panel, "avis"), retryOffered(panel, "vell"))
	}
	if !strings.Contains(panel, `href="/bulletins/ple/edit"`) {
		t.Error("the panel does not link the edit the too-long bulletin needs")
	}
	// A writer sees it too, in Catalan, without Retry (it needs a publisher).
	wr := e.loggedIn("pau", accounts.Writer)
	wr.lang = "ca"
	wpanel := attentionPanel(t, wr.get("/").body)
	if !strings.Contains(wpanel, "Cal la vostra atenció") || !strings.Contains(wpanel, "El text és massa llarg per al canal: escurceu-lo i torneu a publicar.") || strings.Contains(wpanel, `class="retry"`) {
		t.Errorf("writer's panel:\n%s", wpanel)
	}
	// The list's state cell carries the reason in words; the bulletin's page too.
	if list := pub.get("/"); !strings.Contains(html.UnescapeString(list.body), `title="The bot may not post in the channel: once it has been given the rights, retry. — telegram: send: Forbidden`) {
		t.Error("the list's tooltip lacks the reason in words")
	}
	if d := pub.get("/bulletins/ple"); !strings.Contains(d.body, "shorten it and publish again") || strings.Contains(d.body, `action="/bulletins/ple/retry"`) {
		t.Error("the bulletin's page: no reason in words, or Retry offered where only an edit helps")
	}

	// Retry once the rights are given: it arrives, the panel lets it go, and the
	// re-drive is in the log in the publisher's name.
	tg.set("avis", nil)
	if r := pub.post("/bulletins/avis/retry", url.Values{"channel": {"telegram"}}); r.status != http.StatusSeeOther {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	e.waitState("avis", bulletin.Telegram, delivery.Delivered)
	if strings.Contains(attentionPanel(t, pub.get("/").body), "Avís de talls") {
		t.Error("the panel still lists a delivery that arrived after Retry")
	}
	if got := e.audited(audit.Retry); len(got) != 1 || got[0].Actor != "marta" || got[0].Target != "avis.telegram" || !got[0].OK {
		t.Errorf("retry audit: %+v", got)
	}
}

// attentionPanel is the needs-attention section of a page ("" when there is none).
func attentionPanel(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `id="attention"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</section>")
	return html.UnescapeString(body[i : i+j])
}

// retryOffered reports whether the panel's entry for id has a Retry button.
func retryOffered(panel, id string) bool {
	i := strings.Index(panel, `data-trouble="`+id+`.`)
	if i < 0 {
		return false
	}
	entry := panel[i:]
	if j := strings.Index(entry[1:], "data-trouble="); j >= 0 {
		entry = entry[:j+1]
	}
	return strings.Contains(entry, `class="retry"`)
}

// A schedule that did not go out at its time (no runner could publish it) is in the
// panel, with its time in the council's format; bad Retry requests are refused in words.
func TestLateScheduleNeedsAttention(t *testing.T) {
	e := newEnv(t) // no background: nothing publishes the schedule
	b := e.loggedIn("anna", accounts.Publisher)
	at := e.clock.Now().Add(5 * time.Minute).Truncate(time.Minute)
	if r := b.post("/compose", composeForm("publish", "new", "1", "id", "tard", "title", "Surt tard", "body", "Text.",
		"publish_at", at.In(mustLoc(t)).Format("2006-01-02T15:04"))); r.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	e.clock.Add(6 * time.Minute) // a minute late: the runner may be on it
	if p := attentionPanel(t, b.get("/").body); p != "" {
		t.Errorf("a schedule a minute late already needs attention:\n%s", p)
	}
	e.clock.Add(2 * time.Minute)
	p := attentionPanel(t, b.get("/").body)
	if want := "Scheduled for " + at.In(mustLoc(t)).Format("02/01/2006 15:04") + " and not out yet"; !strings.Contains(p, want) || !strings.Contains(p, `href="/bulletins/tard"`) {
		t.Errorf("the panel lacks %q:\n%s", want, p)
	}
	for _, tt := range []struct{ id, channel, want string }{
		{"tard", "fax", `unknown channel`},
		{"tard", "telegram", "no delivery of tard on telegram is recorded yet"},
	} {
		r := b.post("/bulletins/"+tt.id+"/retry", url.Values{"channel": {tt.channel}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(r.body), tt.want) {
			t.Errorf("retry %s on %q: %d, want 422 saying %q", tt.id, tt.channel, r.status, tt.want)
		}
	}
}
