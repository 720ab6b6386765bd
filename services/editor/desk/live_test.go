package desk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/desk"
)

// A live announcement reaches YouTube or is refused at once, in words: never
// published without YouTube, never with a start YouTube would refuse later.
func TestLiveAnnouncementIsCheckedAtTheField(t *testing.T) {
	d, _ := newDesk(t)
	tests := []struct {
		name      string
		channels  []string
		publishAt string
		liveStart string
		field     string // "" when the bulletin is fine
		words     string
	}{
		{"youtube_ticked", []string{"telegram", "youtube", "web"}, "", "2020-03-16T12:00:00+01:00", "", ""},
		{"youtube_missing", []string{"telegram", "web"}, "", "2020-03-16T12:00:00+01:00", "channels",
			"a live broadcast goes out only on YouTube: tick YouTube, or empty the live broadcast's start and title"},
		{"start_in_the_past", []string{"youtube"}, "", "2020-03-14T08:00:00+01:00", "live: start",
			"14/03/2020 08:00 is not in the future"},
		{"start_now", []string{"youtube"}, "", "2020-03-14T10:00:00+01:00", "live: start", "is not in the future"},
		{"start_before_publish_time", []string{"youtube"}, "2020-03-16T12:00:00+01:00", "2020-03-16T11:00:00+01:00", "live: start",
			"16/03/2020 11:00 is before the bulletin goes out (16/03/2020 12:00)"},
		{"start_at_publish_time", []string{"youtube"}, "2020-03-16T12:00:00+01:00", "2020-03-16T12:00:00+01:00", "", ""},
		{"start_after_publish_time", []string{"youtube"}, "2020-03-16T09:00:00+01:00", "2020-03-16T12:00:00+01:00", "", ""},
		{"no_live_block", []string{"telegram"}, "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := desk.Fields{ID: "roda", Title: "Roda de premsa", Channels: tt.channels, PublishAt: tt.publishAt, LiveStart: tt.liveStart, Body: "El paer en cap."}
			_, ps, err := d.Check(context.Background(), f.Source(), desk.Intent{New: true})
			if err != nil {
				t.Fatal(err)
			}
			if tt.field == "" {
				if len(ps) > 0 {
					t.Fatalf("problems %v, want none", ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Field != tt.field || !strings.Contains(ps[0].Message, tt.words) || ps[0].Msg.IsZero() {
				t.Errorf("problems %+v, want one at %q saying %q, with its message key", ps, tt.field, tt.words)
			}
		})
	}
}

// Publishing goes through the same check: the API and the command line cannot publish
// a live block that would never reach YouTube.
func TestPublishRefusesALiveBlockWithoutYouTube(t *testing.T) {
	d, _ := newDesk(t)
	f := desk.Fields{ID: "roda", Title: "Roda de premsa", Channels: []string{"telegram", "web"}, LiveStart: "2020-03-16T12:00:00+01:00", Body: "El paer en cap."}
	_, err := d.Publish(context.Background(), anna, f.Source(), desk.Intent{New: true})
	var inv *desk.InvalidError
	if !errors.As(err, &inv) || !strings.Contains(inv.Error(), "channels: a live broadcast goes out only on YouTube") {
		t.Fatalf("publish: %v, want the live block refused at channels", err)
	}
	if _, err := d.Latest(context.Background(), "roda"); err == nil {
		t.Error("the bulletin was published all the same")
	}
}
