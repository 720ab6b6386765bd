package desk

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

func TestCompareSaysWhatChangedInWords(t *testing.T) {
	at := func(s string) *time.Time { v, _ := time.Parse(time.RFC3339, s); return &v }
	base := bulletin.Bulletin{Title: "Mercats", Lang: "ca", Channels: []string{"telegram", "web"},
		Body: "Els mercats obren.\n\nCal mascareta."}
	with := func(f func(b *bulletin.Bulletin)) *bulletin.Bulletin { b := base; f(&b); return &b }
	tests := []struct {
		name   string
		before *bulletin.Bulletin
		after  *bulletin.Bulletin
		want   string // the JSON of the Changes
	}{
		{"unchanged", &base, with(func(*bulletin.Bulletin) {}), `{}`},
		{"title", &base, with(func(b *bulletin.Bulletin) { b.Title = "Mercats oberts" }),
			`{"title":{"before":"Mercats","after":"Mercats oberts"}}`},
		{"one_paragraph_edited", &base, with(func(b *bulletin.Bulletin) { b.Body = "Els mercats obren.\n\nCal mascareta i distància." }),
			`{"paragraphs":[{"before":"Cal mascareta.","after":"Cal mascareta i distància."}]}`},
		{"paragraph_added", &base, with(func(b *bulletin.Bulletin) { b.Body += "\n\nHorari: 8 a 14." }),
			`{"paragraphs":[{"before":"","after":"Horari: 8 a 14."}]}`},
		{"channels", &base, with(func(b *bulletin.Bulletin) { b.Channels = []string{"web", "youtube"} }),
			`{"channels_added":["youtube"],"channels_removed":["telegram"]}`},
		{"publish_time_set", &base, with(func(b *bulletin.Bulletin) { b.PublishAt = at("2020-03-14T21:00:00+01:00") }),
			`{"publish_at":{"after":"2020-03-14T21:00:00+01:00"}}`},
		{"urgent", &base, with(func(b *bulletin.Bulletin) { b.Urgent = true }), `{"urgent":{"Before":false,"After":true}}`},
		{"live_start_moved", with(func(b *bulletin.Bulletin) {
			b.Live = &bulletin.Live{Start: *at("2020-03-16T12:00:00+01:00"), Title: "Roda"}
		}),
			with(func(b *bulletin.Bulletin) {
				b.Live = &bulletin.Live{Start: *at("2020-03-16T13:00:00+01:00"), Title: "Roda"}
			}),
			`{"live_start":{"before":"2020-03-16T12:00:00+01:00","after":"2020-03-16T13:00:00+01:00"}}`},
		{"alert_added", &base, with(func(b *bulletin.Bulletin) {
			b.Alert = &bulletin.Alert{Severity: "Severe", Urgency: "Immediate", Certainty: "Observed", Category: []string{"Health"}, Event: "Confinament"}
		}), `{"alert":{"Before":null,"After":{"severity":"Severe","urgency":"Immediate","certainty":"Observed","category":["Health"],"event":"Confinament"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(tt.before, tt.after)
			got, _ := json.Marshal(c)
			if string(got) != tt.want {
				t.Errorf("Compare = %s\nwant      %s", got, tt.want)
			}
			if (tt.want == `{}`) != c.None() {
				t.Errorf("None() = %v", c.None())
			}
		})
	}
}

func TestChangesOfAHistory(t *testing.T) {
	b1 := &bulletin.Bulletin{Title: "A", Channels: []string{"web"}, Body: "Un."}
	b2 := &bulletin.Bulletin{Title: "B", Channels: []string{"web"}, Body: "Un."}
	revs := []*bulletin.Revision{
		{ID: "x", Rev: 1, Action: bulletin.Publish, Bulletin: b1},
		{ID: "x", Rev: 2, Action: bulletin.Edit, Bulletin: b2},
		{ID: "x", Rev: 3, Action: bulletin.Retract, Bulletin: b2},
		{ID: "x", Rev: 4, Action: bulletin.Publish, Bulletin: b2},
	}
	got := changesOf(revs, map[string]string{"x@3": "dades errònies"})
	if !got[0].First || got[0].Title == nil || got[0].Title.After != "A" {
		t.Errorf("rev 1: %+v, want the first publication", got[0])
	}
	if got[1].First || got[1].Title == nil || got[1].Title.Before != "A" || got[1].Title.After != "B" {
		t.Errorf("rev 2: %+v, want title A → B", got[1])
	}
	if !got[2].Retracted || got[2].Reason != "dades errònies" {
		t.Errorf("rev 3: %+v, want the retraction with its reason", got[2])
	}
	if !got[3].First {
		t.Errorf("rev 4: %+v, want a first publication again after the retraction", got[3])
	}
	if r := ReasonOf(retractDetail("Títol", "  dades\nerrònies ")); r != "dades errònies" {
		t.Errorf("ReasonOf = %q", r)
	}
}
