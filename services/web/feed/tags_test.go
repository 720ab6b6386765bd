package feed_test

import (
	"slices"
	"testing"

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/bulletin"
)

// An entry carries its bulletin's tags as the latest revision has them, and never
// shares the slice with the revision it came from.
func TestApplyTags(t *testing.T) {
	tag := func(tags ...string) func(*bulletin.Bulletin) {
		return func(b *bulletin.Bulletin) { b.Tags = tags }
	}
	cases := []struct {
		name string
		revs []*bulletin.Revision
		want []string
	}{
		{"none", []*bulletin.Revision{rev("a", 1, bulletin.Publish)}, nil},
		{"published", []*bulletin.Revision{rev("a", 1, bulletin.Publish, tag("salut", "mobilitat"))}, []string{"salut", "mobilitat"}},
		{"edited", []*bulletin.Revision{rev("a", 1, bulletin.Publish, tag("salut")), rev("a", 2, bulletin.Edit, tag("mercats"))}, []string{"mercats"}},
		{"dropped", []*bulletin.Revision{rev("a", 1, bulletin.Publish, tag("salut")), rev("a", 2, bulletin.Edit)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := feed.New()
			for _, r := range c.revs {
				f.Apply(r, t0)
			}
			got := f.Get("a").Tags
			if !slices.Equal(got, c.want) {
				t.Fatalf("tags %q, want %q", got, c.want)
			}
			if last := c.revs[len(c.revs)-1].Bulletin; len(last.Tags) > 0 {
				last.Tags[0] = "changed"
				if f.Get("a").Tags[0] == "changed" {
					t.Error("the entry shares its tags with the revision")
				}
			}
		})
	}
}
