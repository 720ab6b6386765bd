package bulletin_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

func TestParseValidBulletin(t *testing.T) {
	src, err := os.ReadFile("testdata/valid.md")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bulletin.Parse("content/2020-03-14-confinament.md", src, bulletin.Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)
	switch {
	case b.ID != "2020-03-14-confinament", b.Title != "Mesures de confinament a Lleida", b.Lang != "ca",
		b.Group != "confinament", !b.Urgent, !slices.Equal(b.Channels, []string{"telegram", "web"}),
		!slices.Equal(b.Tags, []string{"salut", "mobilitat"}), b.PublishAt == nil || !b.PublishAt.Equal(want):
		t.Errorf("parsed fields wrong: %+v", b)
	}
	if !strings.HasPrefix(b.Body, "El **paer en cap**") || !strings.HasSuffix(b.Body, "(tel:+34973700300)") {
		t.Errorf("body = %q", b.Body)
	}
}

func TestParseDefaults(t *testing.T) {
	src := "---\ntitle: Roda de premsa\nlive:\n  start: 2020-03-16T12:00:00+01:00\n---\nEn directe.\n"
	b, err := bulletin.Parse("content/roda-de-premsa.md", []byte(src), bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "roda-de-premsa" || b.Lang != "ca" || b.Group != "roda-de-premsa" {
		t.Errorf("id/lang/group defaults: %q %q %q", b.ID, b.Lang, b.Group)
	}
	if !slices.Equal(b.Channels, []string{"telegram", "youtube", "web"}) {
		t.Errorf("a live bulletin's default channels = %v, want telegram, youtube, web", b.Channels)
	}
	if b.Live.Title != "Roda de premsa" {
		t.Errorf("live title default = %q", b.Live.Title)
	}
	b, err = bulletin.Parse("x.md", []byte("---\r\ntitle: Windows\r\n---\r\nText\r\n"), bulletin.Options{DefaultChannels: []string{"web"}})
	if err != nil {
		t.Fatalf("CRLF file: %v", err)
	}
	if b.Title != "Windows" || b.Body != "Text" || !slices.Equal(b.Channels, []string{"web"}) {
		t.Errorf("CRLF/default channels: %+v", b)
	}
}

func TestParseRejectsBadBulletins(t *testing.T) {
	const fm = "---\ntitle: Avís\n"
	tests := []struct {
		name string
		file string
		src  string
		want string
	}{
		{"missing_title", "content/x.md", "---\nlang: ca\n---\nText\n",
			"content/x.md:1: title: missing"},
		{"empty_title", "content/x.md", "---\ntitle:\n---\nText\n",
			"content/x.md:2: title: empty"},
		{"unknown_channel", "content/x.md", fm + "channels: [telegram, twitter]\n---\nText\n",
			`content/x.md:3: channels: unknown channel "twitter" (want telegram, youtube, web)`},
		{"channel_twice", "content/x.md", fm + "channels:\n  - web\n  - web\n---\nText\n",
			`content/x.md:5: channels: "web" given twice`},
		{"no_channels", "content/x.md", fm + "channels: []\n---\nText\n",
			"content/x.md:3: channels: empty (name at least one of telegram, youtube, web)"},
		{"bad_id", "content/x.md", fm + "id: Mesures_COVID\n---\nText\n",
			`content/x.md:3: id: "Mesures_COVID" is not a valid id (want lowercase letters, digits and dashes, at most 80)`},
		{"bad_file_name_as_id", "content/Mesures COVID.md", fm + "---\nText\n",
			`content/Mesures COVID.md:1: id: none given, and the file name "Mesures COVID" is not a valid id (want lowercase letters, digits and dashes, e.g. 2020-03-14-confinament)`},
		{"invalid_utf8", "content/x.md", fm + "---\nLínia bona\nCaf\xe9\n",
			"content/x.md:5: not valid UTF-8 (save the file as UTF-8)"},
		{"empty_body", "content/x.md", fm + "---\n  \n\n",
			"content/x.md:4: body: empty (write the bulletin's text below the closing ---)"},
		{"too_big", "content/x.md", fm + "---\n" + strings.Repeat("a", bulletin.MaxSize),
			"content/x.md: 257 KiB is over the 256 KiB limit for a bulletin"},
		{"live_without_start", "content/x.md", fm + "live:\n  title: Roda de premsa\n---\nText\n",
			"content/x.md:3: live: start: missing (when does the broadcast begin?)"},
		{"bad_publish_at", "content/x.md", fm + "publish_at: dilluns a les 10\n---\nText\n",
			"content/x.md:3: publish_at: not a time (want 2006-01-02T15:04:05Z07:00)"},
		{"publish_at_without_offset", "content/x.md", fm + "publish_at: 2020-03-14T10:00:00\n---\nText\n",
			"content/x.md:3: publish_at: not a time (want 2006-01-02T15:04:05Z07:00)"},
		{"bad_live_start", "content/x.md", fm + "live:\n  start: demà\n---\nText\n",
			"content/x.md:4: live: start: not a time (want 2006-01-02T15:04:05Z07:00)"},
		{"urgent_not_bool", "content/x.md", fm + "urgent: potser\n---\nText\n",
			`content/x.md:3: urgent: want true or false, got "potser"`},
		{"unknown_field_with_hint", "content/x.md", fm + "chanels: [web]\n---\nText\n",
			"content/x.md:3: chanels: unknown field (did you mean channels?)"},
		{"field_twice", "content/x.md", fm + "title: Una altra\n---\nText\n",
			"content/x.md:3: title: given twice (first on line 2)"},
		{"no_front_matter", "content/x.md", "# Avís\n\nText\n",
			"content/x.md:1: front matter: missing (the file must start with a line --- , then fields such as title:, then ---)"},
		{"front_matter_not_closed", "content/x.md", fm + "lang: ca\nText\n",
			"content/x.md:1: front matter: not closed (add a line --- after the last field)"},
		{"bad_yaml", "content/x.md", fm + "tags: [salut\n---\nText\n",
			"content/x.md:3: front matter: not valid YAML: did not find expected ',' or ']'"},
		{"bad_lang", "content/x.md", fm + "lang: català\n---\nText\n",
			`content/x.md:3: lang: "català" is not a language code (want ca, es, en, ...)`},
		{"title_too_long", "content/x.md", "---\ntitle: " + strings.Repeat("à", 201) + "\n---\nText\n",
			"content/x.md:2: title: 201 characters, over the limit of 200"},
		{"front_matter_not_a_map", "content/x.md", "---\n- title\n---\nText\n",
			"content/x.md:2: front matter: want fields like title: ..., one per line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := bulletin.Parse(tt.file, []byte(tt.src), bulletin.Options{})
			if err == nil {
				t.Fatalf("accepted: %+v", b)
			}
			if b != nil {
				t.Errorf("returned a bulletin with the error")
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestParseReportsEveryProblemInLineOrder(t *testing.T) {
	src := "---\nid: Mal\nchannels: [fax]\nurgent: sí\n---\n\n"
	_, err := bulletin.Parse("x.md", []byte(src), bulletin.Options{})
	es := bulletin.AsErrors(err)
	var lines []int
	for _, e := range es {
		lines = append(lines, e.Line)
	}
	if !slices.Equal(lines, []int{1, 2, 3, 4, 6}) {
		t.Errorf("lines = %v, want [1 2 3 4 6] (title, id, channels, urgent, body):\n%v", lines, err)
	}
}

func TestHashIgnoresFrontMatterLayout(t *testing.T) {
	a, err := bulletin.Parse("a.md", []byte("---\ntitle: Avís\nchannels: [web]\n---\nText\n"), bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bulletin.Parse("a.md", []byte("---\n# comentari\nchannels:\n  - web\ntitle: \"Avís\"\n---\n\nText\n\n"), bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash() != b.Hash() {
		t.Error("same content, different layout: hashes differ")
	}
	b.Body += "!"
	if a.Hash() == b.Hash() {
		t.Error("different body: same hash")
	}
}
