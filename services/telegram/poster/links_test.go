package poster_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// publishLive publishes a live announcement on Telegram and YouTube.
func (e *env) publishLive(id, title string) {
	e.t.Helper()
	b := &bulletin.Bulletin{ID: id, Title: title, Lang: "ca", Group: id,
		Channels: []string{bulletin.Telegram, bulletin.YouTube, bulletin.Web}, Body: "Roda de premsa de l'alcalde.",
		Live: &bulletin.Live{Start: time.Date(2030, 3, 18, 11, 0, 0, 0, time.UTC), Title: title}}
	if _, err := e.pub.Publish(e.t.Context(), b, "test"); err != nil {
		e.t.Fatalf("publish %s: %v", id, err)
	}
}

// broadcast writes YouTube's delivery record of id at rev with its watch link, as the
// YouTube service does once the broadcast exists.
func (e *env) broadcast(id string, rev int, link string) {
	e.t.Helper()
	rec := &delivery.Record{ID: id, Channel: bulletin.YouTube, Rev: rev, Action: bulletin.Publish,
		State: delivery.Delivered, Carried: rev, Attempts: 1, Updated: time.Now().UTC(),
		Ref: delivery.Ref{Target: "UCpaeria", IDs: []string{"b-" + id}, URL: link, SentAt: time.Now().UTC()}}
	_, last, err := e.store.Get(e.t.Context(), id, bulletin.YouTube)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.store.Put(e.t.Context(), rec, last); err != nil {
		e.t.Fatalf("youtube record of %s: %v", id, err)
	}
}

// messageOf is the message of the chat with id, if it shows.
func (e *env) messageOf(chat string, id string) (sandbox.Message, bool) {
	for _, m := range e.sb.Messages(chat) {
		if strconv.Itoa(m.ID) == id {
			return m, true
		}
	}
	return sandbox.Message{}, false
}

func TestBroadcastLinkIsEditedIntoTheLivePost(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.start(e.config())
	e.publishLive("roda", "Roda de premsa")
	rec := e.wait("roda", 1, delivery.Delivered)
	const link = "https://www.youtube.com/watch?v=pAeRiA12345"
	if m, _ := e.messageOf(chatCA, rec.Ref.IDs[0]); strings.Contains(m.Text, "youtube.com") {
		t.Fatalf("the post has a link before YouTube gave one: %q", m.Text)
	}

	e.broadcast("roda", 1, link)
	natstest.WaitFor(t, 30*time.Second, "the link in the post", func() bool {
		m, ok := e.messageOf(chatCA, rec.Ref.IDs[0])
		return ok && strings.Contains(m.Text, "Enllaç a YouTube: "+link)
	})
	if n := len(e.sb.Messages(chatCA)); n != 1 {
		t.Errorf("%d messages in the chat, want the one post edited in place", n)
	}
	// The edit went through the worker: the record is delivered, same revision, same post.
	after := e.wait("roda", 1, delivery.Delivered)
	if !slices.Equal(after.Ref.IDs, rec.Ref.IDs) {
		t.Errorf("record ids %v, want %v", after.Ref.IDs, rec.Ref.IDs)
	}

	// A retracted announcement is never edited by a link that comes after.
	e.publishLive("ple", "Ple municipal")
	plePost := e.wait("ple", 1, delivery.Delivered).Ref.IDs[0]
	if _, err := e.pub.Retract(t.Context(), "ple", "test"); err != nil {
		t.Fatal(err)
	}
	e.wait("ple", 2, delivery.Retracted)
	editsBefore, _ := e.requests("editMessageText")
	e.broadcast("ple", 1, "https://www.youtube.com/watch?v=pLe000000001")
	// A control announcement whose link comes next: once it shows, the watcher has
	// passed the retracted one.
	e.publishLive("consell", "Consell de barri")
	consell := e.wait("consell", 1, delivery.Delivered).Ref.IDs[0]
	e.broadcast("consell", 1, "https://www.youtube.com/watch?v=cOnSeLl00001")
	natstest.WaitFor(t, 30*time.Second, "the control's link", func() bool {
		m, ok := e.messageOf(chatCA, consell)
		return ok && strings.Contains(m.Text, "cOnSeLl00001")
	})
	if _, ok := e.messageOf(chatCA, plePost); ok {
		t.Errorf("the retracted post %s shows again", plePost)
	}
	_, edited := e.requests("editMessageText")
	for _, id := range edited[editsBefore:] {
		if strconv.Itoa(id) == plePost {
			t.Errorf("the retracted post %s was edited after the retraction", plePost)
		}
	}
	if got := e.record("ple"); got.State != delivery.Retracted || got.Rev != 2 {
		t.Errorf("record of the retracted announcement: %s@%d", got.State, got.Rev)
	}
}
