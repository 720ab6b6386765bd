package desk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
)

// A retraction keeps its reason in the audit event, on one line and cut to size.
func TestRetractKeepsTheReason(t *testing.T) {
	tests := []struct{ name, reason, want string }{
		{"reason", "Dades errònies: el centre no tanca.", "Mercats — reason: Dades errònies: el centre no tanca."},
		{"none", "  ", "Mercats"},
		{"newlines", "Primera línia\nsegona", "Mercats — reason: Primera línia segona"},
		{"long", strings.Repeat("x", 600), "Mercats — reason: " + strings.Repeat("x", desk.MaxReasonChars) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, log := newDesk(t)
			ctx := context.Background()
			f := desk.Fields{ID: "mercats", Title: "Mercats", Channels: []string{"web"}, Body: "Obren."}
			if _, err := d.Publish(ctx, anna, f.Source(), desk.Intent{New: true}); err != nil {
				t.Fatal(err)
			}
			if _, err := d.RetractBecause(ctx, anna, "mercats", tt.reason); err != nil {
				t.Fatal(err)
			}
			events, err := log.Recent(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events {
				if e.Action == audit.Retract {
					if e.Detail != tt.want || e.Actor != "anna" || !e.OK {
						t.Errorf("audit event %+v, want detail %q", e, tt.want)
					}
					return
				}
			}
			t.Errorf("no retract event in %+v", events)
		})
	}
}
