package desk

import (
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/schedule"
)

// Retry is offered where trying again can help, Edit where the bulletin must change;
// every reason has its own words, and an unknown one still says something.
func TestRemedyAndWordsForEachReason(t *testing.T) {
	tests := []struct {
		reason string
		retry  bool
		key    string
	}{
		{delivery.ReasonStartPassed, false, "reason.start_passed"},
		{delivery.ReasonTooLong, false, "reason.too_long"},
		{delivery.ReasonFieldLimit, false, "reason.field_limit"},
		{delivery.ReasonTriesExhausted, true, "reason.tries_exhausted"},
		{delivery.ReasonBus, true, "reason.bus"},
		{delivery.ReasonCredentials, true, "reason.credentials"},
		{delivery.ReasonRights, true, "reason.rights"},
		{delivery.ReasonChatMoved, true, "reason.chat_moved"},
		{delivery.ReasonQuota, true, "reason.quota"},
		{"", true, "reason.unknown"},                // a record older than reasons
		{"from_the_future", true, "reason.unknown"}, // a newer worker's code
	}
	words := mustWords()
	for _, tt := range tests {
		r := RemedyFor(tt.reason)
		if r.Retry != tt.retry || r.Edit == tt.retry {
			t.Errorf("%q: remedy %+v, want retry %v and edit %v", tt.reason, r, tt.retry, !tt.retry)
		}
		if got := ReasonKey(tt.reason); got != tt.key {
			t.Errorf("%q: key %q, want %q", tt.reason, got, tt.key)
		}
		if !words.Has(tt.key) {
			t.Errorf("%q: key %q is not in the catalogue", tt.reason, tt.key)
		}
	}
}

// Only a dead delivery of a bulletin's latest revision needs attention, and a schedule
// that is more than ScheduleLate past its time.
func TestTroubles(t *testing.T) {
	now := time.Date(2026, 11, 29, 16, 30, 0, 0, time.UTC)
	b := func(id string) *bulletin.Bulletin { return &bulletin.Bulletin{ID: id, Title: "T " + id} }
	latest := map[string]*bulletin.Revision{
		"ple":    {ID: "ple", Rev: 2, Bulletin: b("ple")},
		"vella":  {ID: "vella", Rev: 3, Bulletin: b("vella")},
		"intent": {ID: "intent", Rev: 1, Bulletin: b("intent")},
	}
	recs := map[string][]*delivery.Record{
		"ple": {
			{ID: "ple", Channel: "youtube", Rev: 2, State: delivery.Dead, Reason: delivery.ReasonStartPassed},
			{ID: "ple", Channel: "telegram", Rev: 2, State: delivery.Delivered},
		},
		"vella":  {{ID: "vella", Channel: "telegram", Rev: 2, State: delivery.Dead}}, // rev 3 is on its way
		"intent": {{ID: "intent", Channel: "web", Rev: 1, State: delivery.Failed}},   // still trying
	}
	scheds := []schedule.Entry{
		{Bulletin: b("tard"), At: now.Add(-ScheduleLate - time.Second)},
		{Bulletin: b("ara"), At: now.Add(-time.Minute)}, // the runner is on it
		{Bulletin: b("dema"), At: now.Add(24 * time.Hour)},
	}
	got := troubles(recs, latest, scheds, now)
	if len(got) != 2 {
		t.Fatalf("got %d troubles, want 2: %+v", len(got), got)
	}
	if d := got[0]; d.ID != "ple" || d.Channel != "youtube" || d.Title != "T ple" || d.Retry || !d.Edit {
		t.Errorf("dead delivery: %+v", d)
	}
	if s := got[1]; s.ID != "tard" || s.Channel != "" || s.Due.IsZero() {
		t.Errorf("late schedule: %+v", s)
	}
}

func TestDeadEventID(t *testing.T) {
	r := &delivery.Record{ID: "ple", Channel: "youtube", Rev: 2, Attempts: 3}
	if got := DeadEventID(r); got != "dead:ple:youtube:2:3" {
		t.Errorf("id %q", got)
	}
	if ev := deadEvent(&delivery.Record{ID: "ple", Channel: "youtube", Rev: 2, Reason: "quota", Error: "spent"}); ev.Actor != "system" || ev.Detail != "quota: spent" || ev.Target != "ple@2.youtube" {
		t.Errorf("event %+v", ev)
	}
}

func mustWords() *i18n.Catalogue {
	c, err := i18n.New()
	if err != nil {
		panic(err)
	}
	return c
}
