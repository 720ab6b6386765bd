package ui

import (
	"net/http"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
)

// side is one version of a bulletin on the conflict page, in plain words: no front
// matter, times in the council's zone.
type side struct {
	Title, Body string
	// Paras is the text by paragraph: shown as paragraphs, it wraps on a phone.
	Paras                []string
	Channels             []string
	PublishAt, LiveStart string // dd/mm/aaaa HH:MM, "" when none
	Urgent               bool
}

// conflictData is the conflict page: the version published meanwhile next to the one
// the member is publishing, and the two ways on.
type conflictData struct {
	Current           side
	Rev               int
	Action            bulletin.Action
	Author, Writer    string
	At                string
	Mine              side
	F                 desk.Fields
	In                desk.Intent
	PublishAt, LiveAt string // mine, as the hidden fields carry them (RFC 3339)
	// Withdrawn: the latest revision is a retraction, so nothing is live; Reason is why
	// it was withdrawn, as given ("" when none was). Publishing hers puts it out again.
	Withdrawn bool
	Reason    string
}

// showConflict answers a publish whose base revision is no longer the latest: the
// member sees both versions side by side and picks one; when the latest revision
// withdrew the bulletin, the page says so (who, when, why) rather than showing the
// withdrawn text as live, and the button says it publishes hers again. "Publish mine over it" sends
// her text again re-based on the current revision, so it goes through; "keep the
// current one" keeps hers as a draft. Nothing she typed is lost either way.
func (s *Server) showConflict(w http.ResponseWriter, r *http.Request, u *accounts.User, f desk.Fields, in desk.Intent, latest *bulletin.Revision) {
	cur := latest.Bulletin
	d := conflictData{Rev: latest.Rev, Action: latest.Action, Author: latest.Author, Writer: latest.Writer,
		At: i18n.Date(latest.At, s.opts.Location), F: f, In: in, PublishAt: f.PublishAt, LiveAt: f.LiveStart}
	d.In.BaseRev, d.In.New = latest.Rev, false
	if latest.Action == bulletin.Retract {
		d.Withdrawn, d.Reason = true, s.desk.RetractReason(r.Context(), latest.ID, latest.Rev)
	}
	if cur != nil {
		d.Current = side{Title: cur.Title, Body: strings.TrimSpace(cur.Body), Channels: cur.Channels, Urgent: cur.Urgent}
		if cur.PublishAt != nil {
			d.Current.PublishAt = i18n.Date(*cur.PublishAt, s.opts.Location)
		}
		if cur.Live != nil {
			d.Current.LiveStart = i18n.Date(cur.Live.Start, s.opts.Location)
		}
	}
	d.Mine = side{Title: f.Title, Body: strings.TrimSpace(f.Body), Channels: f.Channels, Urgent: f.Urgent,
		PublishAt: s.madrid(f.PublishAt), LiveStart: s.madrid(f.LiveStart)}
	d.Current.Paras, d.Mine.Paras = paragraphs(d.Current.Body), paragraphs(d.Mine.Body)
	s.render(w, r, http.StatusConflict, "conflict", page{Title: i18n.M("conflict.title"), User: u, Data: d})
}

// madrid writes an RFC 3339 time of the form as staff read times; other text as it is.
func (s *Server) madrid(v string) string {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return i18n.Date(t, s.opts.Location)
	}
	return v
}

// paragraphs splits text at its blank lines.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
