package tghtml_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/tghtml"
)

// FuzzRender: whatever staff write, every message is accepted by the strict validator
// of Telegram's rules and fits 4096 UTF-16 units. Small limits exercise the splitter.
func FuzzRender(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.md")
	more, _ := filepath.Glob("../../content/*.md")
	for _, p := range append(seeds, more...) {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(string(src), "Títol", uint16(0))
		}
	}
	f.Add("> > a\n> ```\n> b\n> ```", "<t>&amp;", uint16(30))
	f.Add("**a `b` [c `d`](http://e)**\n\n| a |\n|---|\n| `x` |", "t", uint16(12))
	f.Add("- a\n\n  ```go\n  x\n  ```\n- > q", "t", uint16(17))
	r := tghtml.NewRenderer("https://covid.paeria.cat")
	f.Fuzz(func(t *testing.T, body, title string, small uint16) {
		if !utf8.ValidString(body) || !utf8.ValidString(title) {
			return // bulletin.Parse refuses these before they reach the bus
		}
		b := &bulletin.Bulletin{ID: "f", Title: title, Lang: "ca", Body: body}
		if title == "" {
			b.Title = "t"
		}
		limit := tghtml.MaxMessage
		if small > 0 {
			limit = 12 + int(small)%200
		}
		html := r.Render(b, "https://covid.paeria.cat/bulletins/f")
		parts := tghtml.Split(html, limit)
		if len(parts) == 0 {
			t.Fatalf("no parts for %q", body)
		}
		for i, p := range parts {
			if _, err := tghtml.Validate(p, limit); err != nil {
				t.Fatalf("part %d of %d refused: %v\nbody %q\npart %q", i+1, len(parts), err, body, p)
			}
		}
		// Messages, which keeps body text in part 1, of the same bulletin as a live
		// announcement.
		b.Live = &bulletin.Live{Start: time.Unix(int64(small)*86400, 0)}
		for i, p := range r.Messages(b, "https://covid.paeria.cat/bulletins/f") {
			if _, err := tghtml.Validate(p, tghtml.MaxMessage); err != nil {
				t.Fatalf("message %d refused: %v\nbody %q\nmessage %q", i+1, err, body, p)
			}
		}
		// Post with an image first and a broadcast link: the caption within 1,024.
		b.Body = "![x](https://www.paeria.cat/a.jpg)\n\n" + body
		post := r.Post(b, "https://covid.paeria.cat/bulletins/f", "https://www.youtube.com/watch?v=f")
		for i, p := range post.Parts {
			limit := tghtml.MaxMessage
			if i == 0 && post.Photo != "" {
				limit = tghtml.MaxCaption
			}
			if _, err := tghtml.Validate(p, limit); err != nil {
				t.Fatalf("post part %d refused at %d: %v\nbody %q\npart %q", i+1, limit, err, body, p)
			}
		}
	})
}

// FuzzSplit: any HTML the validator accepts, split at any limit, gives parts that are
// each accepted and that together read as the original text (less the white space at
// the cuts and the part counters).
func FuzzSplit(f *testing.F) {
	f.Add("<b>aaaa <i>bbbb cccc</i> dddd</b>", uint16(3))
	f.Add("<pre><code class=\"language-go\">a\n\nb c</code></pre>", uint16(1))
	f.Add("<blockquote>x <a href=\"https://a.cat/?a&amp;b\">y z</a></blockquote>\n\n😷😷😷", uint16(2))
	f.Fuzz(func(t *testing.T, html string, small uint16) {
		whole, err := tghtml.Validate(html, 1<<20)
		if err != nil {
			return
		}
		limit := 12 + int(small)%100 // room for any character and a counter
		parts := tghtml.Split(html, limit)
		var read []rune
		for i, p := range parts {
			m, err := tghtml.Validate(p, limit)
			if err != nil {
				t.Fatalf("part %d of %d refused: %v\nhtml %q\npart %q", i+1, len(parts), err, html, p)
			}
			text := m.Text
			if len(parts) > 1 {
				text = text[:strings.LastIndex(text, "\n(")]
			}
			read = append(read, []rune(text)...)
		}
		want := []rune(strings.Map(dropSpace, whole.Text))
		got := []rune(strings.Map(dropSpace, string(read)))
		if string(got) != string(want) {
			t.Fatalf("split lost or changed text:\n got %q\nwant %q", string(got), string(want))
		}
	})
}

func dropSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return -1
	}
	return r
}
