package desk

import (
	"strings"
	"testing"
)

func TestDiffShowsWhatChangedLineByLine(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       string
	}{
		{"first_revision", "", "a\nb\n", "+a +b"},
		{"unchanged", "a\nb\n", "a\nb\n", " a  b"},
		{"one_line_edited", "title: A\nbody\n", "title: B\nbody\n", "-title: A +title: B  body"},
		{"line_added_in_the_middle", "a\nc\n", "a\nb\nc\n", " a +b  c"},
		{"retracted", "a\nb\n", "", "-a -b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var parts []string
			for _, l := range Diff(tt.a, tt.b) {
				parts = append(parts, l.Op+l.Text)
			}
			if got := strings.Join(parts, " "); got != tt.want {
				t.Errorf("Diff = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDiffOfHugeTextsStaysBounded(t *testing.T) {
	a := strings.Repeat("línia\n", 3000)
	b := strings.Repeat("altra\n", 3000)
	if got := len(Diff(a, b)); got != 6000 {
		t.Errorf("%d lines, want every line removed and added", got)
	}
}
