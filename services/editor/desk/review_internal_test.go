package desk

import (
	"testing"

	"github.com/paeria/pregoner/shared/bulletin"
)

// Which drafts a publish finishes: the named one while at the revision the publisher
// opened; without a revision, and for the publisher's own unnamed draft, only one that
// holds the text published.
func TestDraftFinished(t *testing.T) {
	f := Fields{ID: "avis", Title: "Avís", Lang: "ca", Channels: []string{"web"}, Body: "Text."}
	published, err := bulletin.Parse("bulletin.md", f.Source(), bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	other := f
	other.Body = "Un altre text."
	tests := []struct {
		name  string
		dr    Draft
		named bool
		rev   uint64
		want  bool
	}{
		{"named, same revision, other text", Draft{Fields: other, Rev: 4}, true, 4, true},
		{"named, changed since", Draft{Fields: f, Rev: 5}, true, 4, false},
		{"named, no revision, same text", Draft{Fields: f, Rev: 5}, true, 0, true},
		{"named, no revision, other text", Draft{Fields: other, Rev: 5}, true, 0, false},
		{"own unnamed, same text", Draft{Fields: f, Rev: 5}, false, 4, true},
		{"own unnamed, other text", Draft{Fields: other, Rev: 4}, false, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := draftFinished(&tt.dr, tt.named, tt.rev, published); got != tt.want {
				t.Errorf("draftFinished = %v, want %v", got, tt.want)
			}
		})
	}
}

// The drafts a publish may finish: the named one and the publisher's own, once each.
func TestDoneAuthors(t *testing.T) {
	tests := []struct {
		publisher, draftOf string
		want               []string
	}{
		{"anna", "", []string{"anna"}},
		{"anna", "anna", []string{"anna"}},
		{"anna", "núria", []string{"núria", "anna"}},
	}
	for _, tt := range tests {
		got := doneAuthors(tt.publisher, tt.draftOf)
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) || (len(got) > 1 && got[1] != tt.want[1]) {
			t.Errorf("doneAuthors(%q, %q) = %v, want %v", tt.publisher, tt.draftOf, got, tt.want)
		}
	}
}
