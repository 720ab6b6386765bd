package ui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
)

// formFields reads the compose form. Times typed in datetime-local fields are in the
// council's time zone; text that is not such a time is passed on for the parser to name.
func (s *Server) formFields(r *http.Request) (desk.Fields, desk.Intent) {
	_ = r.ParseForm()
	v := r.PostForm
	f := desk.Fields{
		ID: strings.TrimSpace(v.Get("id")), Title: v.Get("title"), Lang: v.Get("lang"), Group: v.Get("group"),
		Channels: v["channels"], Urgent: v.Get("urgent") == "on", Tags: v.Get("tags"),
		PublishAt: s.fromLocal(v.Get("publish_at")), LiveStart: s.fromLocal(v.Get("live_start")),
		LiveTitle: v.Get("live_title"), Body: v.Get("body"),
	}
	if f.Channels == nil {
		f.Channels = []string{}
	}
	if a := v.Get("alert"); a != "" {
		// The form shows no alert fields yet; it carries the bulletin's alert through an
		// edit unchanged, since dropping it would cancel the public alert.
		var al bulletin.Alert
		if json.Unmarshal([]byte(a), &al) == nil {
			f.Alert = &al
		}
	}
	base, _ := strconv.Atoi(v.Get("base_rev"))
	draftRev, _ := strconv.ParseUint(v.Get("draft_rev"), 10, 64) // not a number: 0, the draft is kept unless it holds the text published
	return f, desk.Intent{New: v.Get("new") == "1", BaseRev: base, DraftOf: v.Get("draft_of"), DraftRev: draftRev}
}

func (s *Server) fromLocal(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	for _, layout := range []string{localLayout, i18n.DateLayout} {
		// A browser without a date picker shows a text box: staff type dates their way.
		if t, err := time.ParseInLocation(layout, v, s.opts.Location); err == nil {
			return t.Format(time.RFC3339)
		}
	}
	return v
}

func (s *Server) toLocal(v string) string {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.In(s.opts.Location).Format(localLayout)
	}
	return v
}

// zoneCity names a time zone as staff say it, by its city: "Madrid" for Europe/Madrid.
func zoneCity(loc *time.Location) string {
	name := loc.String()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
}
