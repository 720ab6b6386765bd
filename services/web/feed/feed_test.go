package feed_test

import (
	"testing"
	"time"

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/bulletin"
)

var t0 = time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)

func rev(id string, n int, action bulletin.Action, mutate ...func(*bulletin.Bulletin)) *bulletin.Revision {
	b := &bulletin.Bulletin{ID: id, Title: id + " title", Lang: "ca", Group: id,
		Channels: []string{bulletin.Telegram, bulletin.Web}, Body: "body of " + id}
	for _, m := range mutate {
		m(b)
	}
	return &bulletin.Revision{ID: id, Rev: n, Action: action, At: t0.Add(time.Duration(n) * time.Hour), Bulletin: b}
}

func TestApply(t *testing.T) {
	offWeb := func(b *bulletin.Bulletin) { b.Channels = []string{bulletin.Telegram} }
	retitle := func(b *bulletin.Bulletin) { b.Title = "edited" }
	cases := []struct {
		name          string
		revs          []*bulletin.Revision
		wantRev       int
		wantTitle     string
		wantGone      bool
		wantWithdrawn bool
		wantUpdated   bool
		wantPublished time.Time
	}{
		{"publish_shows", []*bulletin.Revision{rev("a", 1, bulletin.Publish)}, 1, "a title", false, false, false, t0.Add(time.Hour)},
		{"edit_keeps_first_date", []*bulletin.Revision{rev("a", 1, bulletin.Publish), rev("a", 2, bulletin.Edit, retitle)},
			2, "edited", false, false, true, t0.Add(time.Hour)},
		{"older_revision_after_newer_is_ignored", []*bulletin.Revision{rev("a", 2, bulletin.Edit, retitle), rev("a", 1, bulletin.Publish)},
			2, "edited", false, false, true, t0},
		{"duplicate_is_ignored", []*bulletin.Revision{rev("a", 1, bulletin.Publish), rev("a", 1, bulletin.Publish, retitle)},
			1, "a title", false, false, false, t0.Add(time.Hour)},
		{"retract_withdraws", []*bulletin.Revision{rev("a", 1, bulletin.Publish), rev("a", 2, bulletin.Retract)},
			2, "a title", true, true, false, t0.Add(time.Hour)},
		{"retract_seen_alone_at_rebuild_withdraws", []*bulletin.Revision{rev("a", 2, bulletin.Retract)},
			2, "a title", true, true, false, t0},
		{"never_on_web_is_not_shown_nor_withdrawn", []*bulletin.Revision{rev("a", 1, bulletin.Publish, offWeb)},
			1, "a title", true, false, false, t0.Add(time.Hour)},
		{"taken_off_web_is_withdrawn", []*bulletin.Revision{rev("a", 1, bulletin.Publish), rev("a", 2, bulletin.Edit, offWeb)},
			2, "a title", true, true, true, t0.Add(time.Hour)},
		{"republished_after_retract_shows_again", []*bulletin.Revision{rev("a", 1, bulletin.Publish), rev("a", 2, bulletin.Retract), rev("a", 3, bulletin.Publish)},
			3, "a title", false, false, false, t0.Add(3 * time.Hour)},
		{"publish_at_is_the_date", []*bulletin.Revision{rev("a", 1, bulletin.Publish, func(b *bulletin.Bulletin) { p := t0.Add(-48 * time.Hour); b.PublishAt = &p })},
			1, "a title", false, false, false, t0.Add(-48 * time.Hour)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := feed.New()
			for _, r := range c.revs {
				f.Apply(r, t0)
			}
			e := f.Get("a")
			if e == nil {
				t.Fatal("no entry")
			}
			if e.Rev != c.wantRev || e.Title != c.wantTitle || e.Gone != c.wantGone || e.Withdrawn != c.wantWithdrawn ||
				!e.Updated.IsZero() != c.wantUpdated || !e.Published.Equal(c.wantPublished) {
				t.Errorf("got rev %d title %q gone %v withdrawn %v updated %v published %v",
					e.Rev, e.Title, e.Gone, e.Withdrawn, e.Updated, e.Published)
			}
			shown := len(f.Snapshot().List("ca")) == 1
			if shown == c.wantGone {
				t.Errorf("shown in the list: %v, gone: %v", shown, c.wantGone)
			}
		})
	}
}

func TestListPicksTranslationAndPinsUrgent(t *testing.T) {
	f := feed.New()
	lang := func(l, g string) func(*bulletin.Bulletin) {
		return func(b *bulletin.Bulletin) { b.Lang, b.Group = l, g }
	}
	f.Apply(rev("escoles-ca", 1, bulletin.Publish, lang("ca", "escoles")), time.Time{})
	f.Apply(rev("escoles-es", 2, bulletin.Publish, lang("es", "escoles")), time.Time{})
	f.Apply(rev("only-es", 3, bulletin.Publish, lang("es", "only-es")), time.Time{})
	f.Apply(rev("urgent-old", 1, bulletin.Publish, func(b *bulletin.Bulletin) { b.Urgent = true }), time.Time{})
	f.Apply(rev("newest", 5, bulletin.Publish), time.Time{})
	s := f.Snapshot()
	ids := func(l []*feed.Entry) []string {
		var out []string
		for _, e := range l {
			out = append(out, e.ID)
		}
		return out
	}
	for _, c := range []struct {
		lang string
		want []string
	}{
		{"ca", []string{"urgent-old", "newest", "only-es", "escoles-ca"}},
		{"es", []string{"urgent-old", "newest", "only-es", "escoles-es"}},
		{"en", []string{"urgent-old", "newest", "only-es", "escoles-ca"}}, // no translation: the original
	} {
		if got := ids(s.List(c.lang)); len(got) != len(c.want) || fmtIDs(got) != fmtIDs(c.want) {
			t.Errorf("List(%s) = %v, want %v", c.lang, got, c.want)
		}
	}
	if tr := s.Translations(s.ByID["escoles-ca"]); len(tr) != 1 || tr[0].ID != "escoles-es" {
		t.Errorf("translations of escoles-ca: %v", ids(tr))
	}
}

func fmtIDs(ids []string) string {
	out := ""
	for _, id := range ids {
		out += id + ","
	}
	return out
}

func TestWatchLinkSurvivesEditsAndChangesVersion(t *testing.T) {
	f := feed.New()
	f.Apply(rev("live", 1, bulletin.Publish), time.Time{})
	v := f.Version()
	changed := f.Changed()
	f.SetWatchURL("live", "https://www.youtube.com/watch?v=x", t0)
	select {
	case <-changed:
	default:
		t.Fatal("Changed not closed by a new watch link")
	}
	if f.Version() <= v {
		t.Errorf("version did not grow")
	}
	f.Apply(rev("live", 2, bulletin.Edit), time.Time{})
	if got := f.Get("live").WatchURL; got != "https://www.youtube.com/watch?v=x" {
		t.Errorf("after an edit the watch link is %q", got)
	}
	// A link that arrives before the bulletin is kept for it.
	f.SetWatchURL("later", "https://www.youtube.com/watch?v=y", t0)
	f.Apply(rev("later", 1, bulletin.Publish), time.Time{})
	if got := f.Get("later").WatchURL; got != "https://www.youtube.com/watch?v=y" {
		t.Errorf("a link recorded before the bulletin arrived is lost: %q", got)
	}
}
