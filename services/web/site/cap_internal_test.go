package site

import (
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

// TestAlertIndexMessages: which revisions make which message of which alert.
func TestAlertIndexMessages(t *testing.T) {
	alert := &bulletin.Alert{Severity: "Minor", Urgency: "Expected", Certainty: "Likely", Category: []string{"Health"}}
	at := time.Date(2020, 3, 14, 10, 0, 0, 0, time.UTC)
	rev := func(id, group string, n int, action bulletin.Action, a *bulletin.Alert, channels ...string) *bulletin.Revision {
		if channels == nil {
			channels = []string{bulletin.Web}
		}
		return &bulletin.Revision{ID: id, Rev: n, Action: action, At: at.Add(time.Duration(n) * time.Minute),
			Bulletin: &bulletin.Bulletin{ID: id, Title: id, Lang: "ca", Group: group, Channels: channels, Alert: a, Body: "x"}}
	}
	type want struct {
		group, msgType string
		refs           int
	}
	tests := []struct {
		name  string
		revs  []*bulletin.Revision
		wants []want // the latest message of each group named, after the last revision
		made  bool   // whether the last revision made a message
	}{
		{"no_alert", []*bulletin.Revision{rev("a", "g", 1, bulletin.Publish, nil)},
			[]want{{"g", "", 0}}, false},
		{"alert_not_on_web", []*bulletin.Revision{rev("a", "g", 1, bulletin.Publish, alert, bulletin.Telegram)},
			[]want{{"g", "", 0}}, false},
		{"publish", []*bulletin.Revision{rev("a", "g", 1, bulletin.Publish, alert)},
			[]want{{"g", "Alert", 0}}, true},
		{"applied_twice", []*bulletin.Revision{rev("a", "g", 1, bulletin.Publish, alert), rev("a", "g", 1, bulletin.Publish, alert)},
			[]want{{"g", "Alert", 0}}, false},
		{"edit", []*bulletin.Revision{rev("a", "g", 1, bulletin.Publish, alert), rev("a", "g", 2, bulletin.Edit, alert)},
			[]want{{"g", "Update", 1}}, true},
		{"alert_block_removed", []*bulletin.Revision{rev("a", "g", 1, bulletin.Publish, alert), rev("a", "g", 2, bulletin.Edit, nil)},
			[]want{{"g", "Cancel", 1}}, true},
		{"taken_off_web", []*bulletin.Revision{rev("a", "g", 1, bulletin.Publish, alert), rev("a", "g", 2, bulletin.Edit, alert, bulletin.Telegram)},
			[]want{{"g", "Cancel", 1}}, true},
		{"republished_after_cancel", []*bulletin.Revision{rev("a", "g", 1, bulletin.Publish, alert),
			rev("a", "g", 2, bulletin.Retract, alert), rev("a", "g", 3, bulletin.Publish, alert)},
			[]want{{"g", "Alert", 0}}, true},
		{"moved_to_another_group", []*bulletin.Revision{rev("a", "g", 1, bulletin.Publish, alert), rev("a", "h", 2, bulletin.Edit, alert)},
			[]want{{"g", "Cancel", 1}, {"h", "Alert", 0}}, true},
		{"bad_group_is_the_id", []*bulletin.Revision{rev("a", "G/1", 1, bulletin.Publish, alert)},
			[]want{{"a", "Alert", 0}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var x alertIndex
			var made bool
			for _, r := range tt.revs {
				made = x.apply(r)
			}
			if made != tt.made {
				t.Errorf("last revision made a message: %v, want %v", made, tt.made)
			}
			for _, w := range tt.wants {
				m := x.latest(w.group)
				switch {
				case m == nil && w.msgType != "":
					t.Errorf("%s: no message, want %s", w.group, w.msgType)
				case m != nil && (m.msgType != w.msgType || len(m.references) != w.refs):
					t.Errorf("%s: %s with %d references, want %s with %d", w.group, m.msgType, len(m.references), w.msgType, w.refs)
				}
			}
		})
	}
}
