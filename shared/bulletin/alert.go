package bulletin

import (
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Alert marks a bulletin as a public alert: besides its channels, the web service
// publishes it as an OASIS CAP 1.2 message. The values are CAP's own words, so they go
// into the message as they are; Parse accepts any letter case and stores CAP's.
type Alert struct {
	Severity  string   `json:"severity"`
	Urgency   string   `json:"urgency"`
	Certainty string   `json:"certainty"`
	Category  []string `json:"category"`
	// Event names the kind of event in the bulletin's language; the title when the file
	// gives none.
	Event string `json:"event"`
	// Expires is when the alert stops being current; nil when staff did not say.
	Expires *time.Time `json:"expires,omitempty"`
}

// The values CAP 1.2 allows, in the order the standard lists them (and errors name them).
var (
	AlertSeverities  = []string{"Extreme", "Severe", "Moderate", "Minor", "Unknown"}
	AlertUrgencies   = []string{"Immediate", "Expected", "Future", "Past", "Unknown"}
	AlertCertainties = []string{"Observed", "Likely", "Possible", "Unlikely", "Unknown"}
	AlertCategories  = []string{"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health",
		"Env", "Transport", "Infra", "CBRNE", "Other"}
)

var alertFields = []string{"severity", "urgency", "certainty", "category", "event", "expires"}

// alert decodes the alert: block. Every problem is named "alert: <field>" with the
// values CAP allows, because staff cannot be expected to know the standard's words.
func (d *decoder) alert(line int, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		d.c.add(line, "alert", KindNotAlertBlock, "want a block with severity:, urgency:, certainty: and category:")
		return
	}
	a := &Alert{}
	seen := map[string]bool{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		kl := k.Line + 1
		name := "alert: " + k.Value
		if seen[k.Value] {
			d.c.add(kl, name, KindTwiceHere, "given twice")
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "severity":
			a.Severity = d.enum(name, kl, val, AlertSeverities)
		case "urgency":
			a.Urgency = d.enum(name, kl, val, AlertUrgencies)
		case "certainty":
			a.Certainty = d.enum(name, kl, val, AlertCertainties)
		case "category":
			a.Category = d.categories(name, kl, val)
		case "event":
			if s, ok := d.scalar(name, kl, val); ok {
				a.Event = d.title(name, kl, s)
			}
		case "expires":
			if t, ok := d.time(name, kl, val); ok {
				a.Expires = &t
			}
		default:
			if s := closest(k.Value, alertFields); s != "" {
				d.c.add(kl, name, KindUnknownHint, "unknown field (did you mean %s?)", s)
				continue
			}
			d.c.add(kl, name, KindUnknownField, "unknown field (known: %s)", strings.Join(alertFields, ", "))
		}
	}
	for _, f := range []struct {
		name    string
		allowed []string
	}{{"severity", AlertSeverities}, {"urgency", AlertUrgencies}, {"certainty", AlertCertainties}, {"category", AlertCategories}} {
		if !seen[f.name] {
			d.c.add(line, "alert: "+f.name, KindMissingOneOf, "missing (want one of %s)", strings.Join(f.allowed, ", "))
		}
	}
	d.b.Alert = a
	d.alertLine = line
}

// enum returns the allowed value s names, in the standard's spelling, or "" after
// reporting it.
func (d *decoder) enum(name string, line int, v *yaml.Node, allowed []string) string {
	s, ok := d.scalar(name, line, v)
	if !ok {
		return ""
	}
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			return a
		}
	}
	d.c.add(line, name, KindNotAllowed, "%q is not allowed (want one of %s)", s, strings.Join(allowed, ", "))
	return ""
}

func (d *decoder) categories(name string, line int, v *yaml.Node) []string {
	items, ok := d.list(name, line, v)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.c.add(line, name, KindNoCategory, "empty (want one or more of %s)", strings.Join(AlertCategories, ", "))
		return nil
	}
	var out []string
	for _, it := range items {
		if c := d.enum(name, it.Line+1, it, AlertCategories); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// checkAlert holds the alert to what the rest of the bulletin says, once every field is
// read: the CAP feed is part of the web channel, and an alert cannot expire before it
// is published.
func (d *decoder) checkAlert() {
	a := d.b.Alert
	if a == nil {
		return
	}
	if a.Event == "" {
		a.Event = d.b.Title
	}
	if d.b.Channels != nil && !d.b.HasChannel(Web) {
		d.c.add(d.alertLine, "alert", KindAlertNeedsWeb, "the CAP feed is published by the web channel (add web to channels)")
	}
	if a.Expires != nil && d.b.PublishAt != nil && !a.Expires.After(*d.b.PublishAt) {
		d.c.add(d.alertLine, "alert: expires", KindExpiresEarly, "%s is not after publish_at %s",
			a.Expires.Format(TimeLayout), d.b.PublishAt.Format(TimeLayout))
		d.c.lastArgs(*a.Expires, *d.b.PublishAt) // times, for the reader's own date format
	}
}
