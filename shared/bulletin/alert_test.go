package bulletin_test

import (
	"slices"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

func TestParseAlert(t *testing.T) {
	src := "---\ntitle: Confinament\nlang: es\npublish_at: 2020-03-14T10:00:00+01:00\n" +
		"alert: {severity: severe, urgency: Immediate, certainty: OBSERVED, category: [Health, safety], expires: 2020-03-28T23:59:00+01:00}\n---\nQuédate en casa.\n"
	b, err := bulletin.Parse("x.md", []byte(src), bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := b.Alert
	want := time.Date(2020, 3, 28, 22, 59, 0, 0, time.UTC)
	switch {
	case a == nil:
		t.Fatal("no alert")
	case a.Severity != "Severe", a.Urgency != "Immediate", a.Certainty != "Observed",
		!slices.Equal(a.Category, []string{"Health", "Safety"}), a.Expires == nil || !a.Expires.Equal(want):
		t.Errorf("alert = %+v (want CAP's spelling of every value)", a)
	case a.Event != "Confinament":
		t.Errorf("event = %q, want the title by default", a.Event)
	}

	plain, err := bulletin.Parse("x.md", []byte("---\ntitle: Avís\n---\nText\n"), bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Alert != nil {
		t.Errorf("a bulletin without alert: has %+v", plain.Alert)
	}
}

func TestParseRejectsBadAlerts(t *testing.T) {
	const fm = "---\ntitle: Avís\n"
	const ok = "  severity: Severe\n  urgency: Immediate\n  certainty: Observed\n  category: Health\n"
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"bad_severity", fm + "alert: {severity: High, urgency: Immediate, certainty: Observed, category: Health}\n---\nText\n",
			`x.md:3: alert: severity: "High" is not allowed (want one of Extreme, Severe, Moderate, Minor, Unknown)`},
		{"bad_urgency", fm + "alert:\n  severity: Severe\n  urgency: Now\n  certainty: Observed\n  category: Health\n---\nText\n",
			`x.md:5: alert: urgency: "Now" is not allowed (want one of Immediate, Expected, Future, Past, Unknown)`},
		{"bad_certainty", fm + "alert:\n  severity: Severe\n  urgency: Immediate\n  certainty: Sure\n  category: Health\n---\nText\n",
			`x.md:6: alert: certainty: "Sure" is not allowed (want one of Observed, Likely, Possible, Unlikely, Unknown)`},
		{"bad_category", fm + "alert:\n  severity: Severe\n  urgency: Immediate\n  certainty: Observed\n  category: [Health, Covid]\n---\nText\n",
			`x.md:7: alert: category: "Covid" is not allowed (want one of Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, Other)`},
		{"missing_severity", fm + "alert: {urgency: Immediate, certainty: Observed, category: Health}\n---\nText\n",
			"x.md:3: alert: severity: missing (want one of Extreme, Severe, Moderate, Minor, Unknown)"},
		{"missing_category", fm + "alert: {severity: Minor, urgency: Immediate, certainty: Observed}\n---\nText\n",
			"x.md:3: alert: category: missing (want one of Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, Other)"},
		{"empty_value", fm + "alert:\n  severity:\n  urgency: Immediate\n  certainty: Observed\n  category: Health\n---\nText\n",
			"x.md:4: alert: severity: empty"},
		{"not_a_block", fm + "alert: true\n---\nText\n",
			"x.md:3: alert: want a block with severity:, urgency:, certainty: and category:"},
		{"unknown_field", fm + "alert:\n" + ok + "  sevirity: Minor\n---\nText\n",
			"x.md:8: alert: sevirity: unknown field (did you mean severity?)"},
		{"bad_expires", fm + "alert:\n" + ok + "  expires: demà\n---\nText\n",
			"x.md:8: alert: expires: not a time (want 2006-01-02T15:04:05Z07:00)"},
		{"expires_before_publish", fm + "publish_at: 2020-03-14T10:00:00+01:00\nalert:\n" + ok + "  expires: 2020-03-14T09:00:00+01:00\n---\nText\n",
			"x.md:4: alert: expires: 2020-03-14T09:00:00+01:00 is not after publish_at 2020-03-14T10:00:00+01:00"},
		{"not_on_web", fm + "channels: [telegram]\nalert:\n" + ok + "---\nText\n",
			"x.md:4: alert: the CAP feed is published by the web channel (add web to channels)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := bulletin.Parse("x.md", []byte(tt.src), bulletin.Options{})
			if err == nil {
				t.Fatalf("accepted: %+v", b.Alert)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}
