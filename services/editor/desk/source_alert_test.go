package desk_test

import (
	"testing"

	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/bulletin"
)

// An edit through the form keeps a bulletin's alert: without it the page would publish
// a CAP Cancel for an alert staff never withdrew.
func TestFieldsKeepTheAlert(t *testing.T) {
	src := []byte("---\nid: avis\ntitle: Avís\nalert:\n  severity: severe\n  urgency: Immediate\n  certainty: Observed\n  category: [Health, Safety]\n  event: Confinament\n  expires: 2020-03-30T00:00:00+02:00\n---\nCal quedar-se a casa.\n")
	b, err := bulletin.Parse("avis.md", src, bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := bulletin.Parse("avis.md", desk.FieldsOf(b).Source(), bulletin.Options{})
	if err != nil {
		t.Fatalf("the form's source does not parse: %v", err)
	}
	if again.Alert == nil || again.Hash() != b.Hash() {
		t.Errorf("round trip through the form changed the bulletin: alert %+v, want %+v", again.Alert, b.Alert)
	}
}
