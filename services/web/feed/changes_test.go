package feed_test

import (
	"fmt"
	"testing"

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/bulletin"
)

// ChangesSince tells which bulletins changed, and how, when it remembers every change
// since a version; otherwise it says it does not, and a page refetches itself whole.
func TestChangesSince(t *testing.T) {
	offWeb := func(b *bulletin.Bulletin) { b.Channels = []string{bulletin.Telegram} }
	cases := []struct {
		name     string
		before   []*bulletin.Revision // applied before the version asked from
		after    func(f *feed.Feed)
		want     []string // kind:id
		complete bool
	}{
		{"nothing", nil, func(*feed.Feed) {}, nil, true},
		{"publish", nil, func(f *feed.Feed) { f.Apply(rev("a", 1, bulletin.Publish), t0) }, []string{"published:a"}, true},
		{"edit", []*bulletin.Revision{rev("a", 1, bulletin.Publish)},
			func(f *feed.Feed) { f.Apply(rev("a", 2, bulletin.Edit), t0) }, []string{"corrected:a"}, true},
		{"retract", []*bulletin.Revision{rev("a", 1, bulletin.Publish)},
			func(f *feed.Feed) { f.Apply(rev("a", 2, bulletin.Retract), t0) }, []string{"retracted:a"}, true},
		{"taken_off_web", []*bulletin.Revision{rev("a", 1, bulletin.Publish)},
			func(f *feed.Feed) { f.Apply(rev("a", 2, bulletin.Edit, offWeb), t0) }, []string{"retracted:a"}, true},
		{"back_after_retraction", []*bulletin.Revision{rev("a", 1, bulletin.Publish), rev("a", 2, bulletin.Retract)},
			func(f *feed.Feed) { f.Apply(rev("a", 3, bulletin.Publish), t0) }, []string{"published:a"}, true},
		{"watch_link", []*bulletin.Revision{rev("a", 1, bulletin.Publish)},
			func(f *feed.Feed) { f.SetWatchURL("a", "https://youtu.be/x", t0) }, []string{"corrected:a"}, true},
		{"two_at_once", nil, func(f *feed.Feed) {
			f.Apply(rev("a", 1, bulletin.Publish), t0)
			f.Apply(rev("b", 1, bulletin.Publish), t0)
		}, []string{"published:a", "published:b"}, true},
		{"watch_link_of_unknown_bulletin", nil, func(f *feed.Feed) {
			f.Apply(rev("a", 1, bulletin.Publish), t0)
			f.SetWatchURL("nobody", "https://youtu.be/x", t0)
		}, nil, false},
		{"more_than_remembered", nil, func(f *feed.Feed) {
			for i := range 100 {
				f.Apply(rev(fmt.Sprintf("b%d", i), 1, bulletin.Publish), t0)
			}
		}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := feed.New()
			for _, r := range c.before {
				f.Apply(r, t0)
			}
			from := f.Version()
			c.after(f)
			changes, to, complete := f.ChangesSince(from)
			if to != f.Version() || complete != c.complete {
				t.Fatalf("to %d complete %v, want %d %v", to, complete, f.Version(), c.complete)
			}
			var got []string
			for _, ch := range changes {
				got = append(got, string(ch.Kind)+":"+ch.ID)
				if ch.Lang != "ca" || ch.Group != ch.ID {
					t.Errorf("change %+v lacks its language or group", ch)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("changes %v, want %v", got, c.want)
			}
		})
	}
}
