package tghtml_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/tghtml"
)

// joined is the text citizens read across all parts, without the "(i/n)" lines.
func joined(t *testing.T, parts []string, limit int) string {
	t.Helper()
	var all []string
	for i, p := range parts {
		m, err := tghtml.Validate(p, limit)
		if err != nil {
			t.Fatalf("part %d of %d refused: %v\n%s", i+1, len(parts), err, p)
		}
		text := m.Text
		if len(parts) > 1 {
			j := strings.LastIndex(text, "\n(")
			if j < 0 {
				t.Fatalf("part %d has no counter: %q", i+1, text)
			}
			text = text[:j]
		}
		all = append(all, text)
	}
	return strings.Join(all, "|")
}

func TestSplitPrefersParagraphsThenLinesThenWords(t *testing.T) {
	tests := []struct {
		name  string
		html  string
		limit int
		want  string // parts' text joined with |
	}{
		{"fits", "<b>Títol</b>\n\nText.", 100, "Títol\n\nText."},
		{"first_paragraph_never_alone", "<b>Títol</b>\n\naaaa bbbb cccc dddd eeee\n\nffff", 30, "Títol\n\naaaa bbbb|cccc dddd eeee\n\nffff"},
		{"first_paragraph_alone_only_when_nothing_else_fits", "<b>Títol llarg</b>\n\naaaa", 16, "Títol|llarg|aaaa"},
		{"paragraphs", "aaaa bbbb\n\ncccc\ndddd\n\neeee ffff gggg", 32, "aaaa bbbb\n\ncccc\ndddd|eeee ffff gggg"},
		{"lines", "aaaa bbbb\ncccc dddd\neeee ffff gggg hhhh", 30, "aaaa bbbb\ncccc dddd|eeee ffff gggg hhhh"},
		{"words", "aaaa bbbb cccc dddd eeee ffff gggg", 25, "aaaa bbbb cccc|dddd eeee ffff|gggg"},
		{"characters", strings.Repeat("x", 30), 25, strings.Repeat("x", 15) + "|" + strings.Repeat("x", 15)},
		{"emoji_are_two_units_and_never_cut", strings.Repeat("😷", 20), 25, strings.Repeat("😷", 7) + "|" + strings.Repeat("😷", 7) + "|" + strings.Repeat("😷", 6)},
		{"tags_closed_and_reopened", "<b>aaaa <i>bbbb cccc</i> dddd eeee ffff</b>", 20, "aaaa bbbb|cccc dddd|eeee ffff"},
		{"link_reopened", `<a href="https://a.cat/?x=1&amp;y=2">aaaa bbbb cccc dddd eeee</a>`, 20, "aaaa bbbb|cccc dddd|eeee"},
		{"pre_reopened", "<pre><code class=\"language-sh\">ls -l\ncat &lt;f&gt;\necho fi</code></pre>", 18, "ls -l|cat <f>|echo fi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := tghtml.Split(tt.html, tt.limit)
			if got := joined(t, parts, tt.limit); got != tt.want {
				t.Errorf("parts read %q, want %q\nparts: %q", got, tt.want, parts)
			}
		})
	}
}

func TestSplitKeepsMarkupInEveryPart(t *testing.T) {
	parts := tghtml.Split("<b>aaaa <i>bbbb cccc</i> dddd eeee ffff</b>", 20)
	want := []string{"<b>aaaa <i>bbbb</i></b>\n(1/3)", "<b><i>cccc</i> dddd</b>\n(2/3)", "<b>eeee ffff</b>\n(3/3)"}
	if !slices.Equal(parts, want) {
		t.Errorf("parts = %q, want %q", parts, want)
	}
}

func TestSplitNumbersParts(t *testing.T) {
	parts := tghtml.Split(strings.Repeat("paraula ", 2000), tghtml.MaxMessage)
	if len(parts) != 4 {
		t.Fatalf("%d parts", len(parts))
	}
	for i, p := range parts {
		if want := "(" + string(rune('1'+i)) + "/4)"; !strings.HasSuffix(p, want) {
			t.Errorf("part %d ends %q, want %q", i+1, p[len(p)-10:], want)
		}
	}
}
