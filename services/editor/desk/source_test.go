package desk

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paeria/pregoner/shared/bulletin"
)

// What staff type in one form field stays in that field: no quote, newline or YAML
// syntax in a title or tag can set another field.
func TestFieldsCannotInjectFrontMatter(t *testing.T) {
	tests := []struct {
		name   string
		f      Fields
		wantOK bool
		check  func(*bulletin.Bulletin) bool
	}{
		{"quote_and_comma_in_title", Fields{ID: "a", Title: `Avís: "urgent", llegiu`, Channels: []string{"web"}, Body: "x"}, true,
			func(b *bulletin.Bulletin) bool { return b.Title == `Avís: "urgent", llegiu` }},
		{"yaml_in_title", Fields{ID: "a", Title: "x\"\nchannels: [fax]\nurgent: true\n#", Channels: []string{"web"}, Body: "x"}, false, nil},
		{"yaml_in_tags", Fields{ID: "a", Title: "T", Tags: `salut, "], urgent: true`, Channels: []string{"web"}, Body: "x"}, true,
			func(b *bulletin.Bulletin) bool { return !b.Urgent && len(b.Tags) == 3 && b.Tags[2] == "urgent: true" }},
		{"front_matter_in_body", Fields{ID: "a", Title: "T", Channels: []string{"web"}, Body: "---\nid: altre\n---\nText"}, true,
			func(b *bulletin.Bulletin) bool { return b.ID == "a" && strings.Contains(b.Body, "id: altre") }},
		{"no_channel", Fields{ID: "a", Title: "T", Channels: []string{}, Body: "x"}, false, nil},
		{"time_typed_badly", Fields{ID: "a", Title: "T", Channels: []string{"web"}, PublishAt: "demà a les 10", Body: "x"}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := bulletin.Parse("a.md", tt.f.Source(), bulletin.Options{})
			if (err == nil) != tt.wantOK {
				t.Fatalf("err = %v, want ok %v\n%s", err, tt.wantOK, tt.f.Source())
			}
			if b != nil && tt.check != nil && !tt.check(b) {
				t.Errorf("parsed as %+v", b)
			}
		})
	}
}

// FieldsOf and Source round-trip a published bulletin, so an edit starts from exactly
// what was published.
func TestFieldsOfRoundTrips(t *testing.T) {
	src := "---\nid: roda\ntitle: Roda de premsa\nlang: es\ngroup: roda-ca\nchannels: [telegram, youtube, web]\nurgent: true\ntags: [salut, premsa]\nlive:\n  start: 2020-03-16T12:00:00+01:00\n  title: Rueda de prensa\n---\nEl **alcalde** informa.\n"
	b, err := bulletin.Parse("roda.md", []byte(src), bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := bulletin.Parse("x.md", FieldsOf(b).Source(), bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Hash() != b.Hash() {
		t.Errorf("round trip changed the bulletin:\n%+v\n%+v", b, again)
	}
}

func FuzzFieldsSource(f *testing.F) {
	f.Add("avis", "Avís", "ca", "", "salut, premsa", "Text amb **negreta**.")
	f.Add("a", "x\"\ny: z", "es", "grup", "\"]", "---\n---")
	f.Fuzz(func(t *testing.T, id, title, lang, group, tags, body string) {
		fl := Fields{ID: id, Title: title, Lang: lang, Group: group, Tags: tags, Channels: []string{"web"}, Body: body}
		b, err := bulletin.Parse("f.md", fl.Source(), bulletin.Options{})
		if err != nil {
			if bulletin.AsErrors(err) == nil {
				t.Fatalf("an error without a field: %v", err)
			}
			return
		}
		if !utf8.ValidString(id + title) {
			// Browsers and JSON send UTF-8; stray bytes become U+FFFD, never a new field.
			if !utf8.ValidString(b.Title) || len(b.Channels) != 1 {
				t.Fatalf("typed title %q, parsed %+v", title, b)
			}
			return
		}
		// What parses is what was typed, each in its own field.
		if b.ID != strings.TrimSpace(id) || b.Title != strings.TrimSpace(title) || !b.HasChannel("web") || len(b.Channels) != 1 {
			t.Fatalf("typed id %q title %q, parsed %+v", id, title, b)
		}
	})
}
