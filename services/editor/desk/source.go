package desk

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

// Fields is a bulletin as the compose form holds it: each front-matter field on its own,
// times as RFC 3339 text. Source turns it into the Markdown file that is checked and
// published, so the form, the API and the CLI go through one parser.
type Fields struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Lang      string   `json:"lang"`
	Group     string   `json:"group,omitempty"` // translation link: bulletins of one group are translations
	Channels  []string `json:"channels"`        // nil: the default channels
	PublishAt string   `json:"publish_at,omitempty"`
	Urgent    bool     `json:"urgent,omitempty"`
	Tags      string   `json:"tags,omitempty"` // comma-separated
	LiveStart string   `json:"live_start,omitempty"`
	LiveTitle string   `json:"live_title,omitempty"`
	// Alert is carried as it is: the form has no alert fields yet, and an edit must not
	// drop an alert (the page would publish a CAP Cancel for it).
	Alert *bulletin.Alert `json:"alert,omitempty"`
	Body  string          `json:"body"`
}

// FieldsOf is the form of a published bulletin, for editing it.
func FieldsOf(b *bulletin.Bulletin) Fields {
	f := Fields{ID: b.ID, Title: b.Title, Lang: b.Lang, Group: b.Group, Channels: append([]string(nil), b.Channels...),
		Urgent: b.Urgent, Tags: strings.Join(b.Tags, ", "), Alert: b.Alert, Body: b.Body}
	if f.Group == b.ID {
		f.Group = ""
	}
	if b.PublishAt != nil {
		f.PublishAt = b.PublishAt.Format(time.RFC3339)
	}
	if b.Live != nil {
		f.LiveStart = b.Live.Start.Format(time.RFC3339)
		if b.Live.Title != b.Title {
			f.LiveTitle = b.Live.Title
		}
	}
	return f
}

// q quotes s as a YAML double-quoted scalar (JSON's escapes are YAML's).
func q(s string) string {
	data, _ := json.Marshal(s) // a string always marshals
	return string(data)
}

// Source is the bulletin file the fields make. Empty optional fields are left out so
// the parser's defaults apply.
func (f Fields) Source() []byte {
	var b strings.Builder
	b.WriteString("---\n")
	line := func(k, v string) { b.WriteString(k + ": " + v + "\n") }
	line("id", q(strings.TrimSpace(f.ID)))
	line("title", q(f.Title))
	if s := strings.TrimSpace(f.Lang); s != "" {
		line("lang", q(s))
	}
	if s := strings.TrimSpace(f.Group); s != "" {
		line("group", q(s))
	}
	if f.Channels != nil { // nil: the default channels; empty: none, which is an error
		chans := make([]string, len(f.Channels))
		for i, c := range f.Channels {
			chans[i] = q(c)
		}
		line("channels", "["+strings.Join(chans, ", ")+"]")
	}
	if s := strings.TrimSpace(f.PublishAt); s != "" {
		line("publish_at", q(s))
	}
	if f.Urgent {
		line("urgent", "true")
	}
	var tags []string
	for t := range strings.SplitSeq(f.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, q(t))
		}
	}
	if len(tags) > 0 {
		line("tags", "["+strings.Join(tags, ", ")+"]")
	}
	if s := strings.TrimSpace(f.LiveStart); s != "" || strings.TrimSpace(f.LiveTitle) != "" {
		b.WriteString("live:\n")
		b.WriteString("  start: " + q(s) + "\n")
		if t := strings.TrimSpace(f.LiveTitle); t != "" {
			b.WriteString("  title: " + q(t) + "\n")
		}
	}
	if a := f.Alert; a != nil {
		b.WriteString("alert:\n")
		for _, kv := range [][2]string{{"severity", a.Severity}, {"urgency", a.Urgency}, {"certainty", a.Certainty}, {"event", a.Event}} {
			if kv[1] != "" {
				b.WriteString("  " + kv[0] + ": " + q(kv[1]) + "\n")
			}
		}
		cats := make([]string, len(a.Category))
		for i, c := range a.Category {
			cats[i] = q(c)
		}
		b.WriteString("  category: [" + strings.Join(cats, ", ") + "]\n")
		if a.Expires != nil {
			b.WriteString("  expires: " + q(a.Expires.Format(time.RFC3339)) + "\n")
		}
	}
	b.WriteString("---\n")
	b.WriteString(strings.ReplaceAll(f.Body, "\r\n", "\n"))
	b.WriteString("\n")
	return []byte(b.String())
}
