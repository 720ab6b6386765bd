package ui

import (
	"strings"

	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
)

// problemWords is a problem as the member reads it, in her language (every problem of
// the parser, YouTube's rules and the desk carries its key; the English Message is
// only for one that does not); one of no form field is preceded by its field's name.
func (s *Server) problemWords(lang i18n.Lang, pr desk.Problem) string {
	msg := pr.Message
	if !pr.Msg.IsZero() {
		msg = s.words.Msg(lang, pr.Msg)
	}
	if formField(pr.Field) == "" && pr.Field != "" {
		return s.fieldName(lang, pr.Field) + ": " + msg
	}
	return msg
}

// fieldName is a field the form does not show, in words: "alert: severity" is the key
// field.alert.severity; a name staff typed themselves (an unknown field) stays theirs.
func (s *Server) fieldName(lang i18n.Lang, field string) string {
	if label, ok := formLabels[formField(field)]; ok {
		return s.words.T(lang, label)
	}
	if key := "field." + strings.NewReplacer(": ", ".", " ", "_").Replace(field); s.words.Has(key) {
		return s.words.T(lang, key)
	}
	return field
}

// formLabels are the compose form's labels of its inputs.
var formLabels = map[string]string{"id": "compose.id", "title": "compose.title", "lang": "compose.lang", "group": "compose.group",
	"channels": "compose.channels", "publish_at": "compose.publishAt", "urgent": "compose.urgent", "tags": "compose.tags",
	"body": "compose.body", "live_start": "compose.liveStart", "live_title": "compose.liveTitle"}

// problemList is problems in words, one after another, for a page without the form.
func (s *Server) problemList(lang i18n.Lang, ps []desk.Problem) string {
	out := make([]string, len(ps))
	for i, pr := range ps {
		out[i] = s.problemWords(lang, pr)
		if formField(pr.Field) != "" {
			out[i] = s.fieldName(lang, pr.Field) + ": " + out[i]
		}
	}
	return strings.Join(out, "; ")
}

// formField maps a parser field name to the form input it belongs to.
func formField(f string) string {
	switch f {
	case "id", "title", "lang", "group", "channels", "publish_at", "urgent", "tags", "body":
		return f
	case "live: start", "live":
		return "live_start"
	case "live: title":
		return "live_title"
	}
	return ""
}
