package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
)

// localLayout is the format of an <input type="datetime-local">.
const localLayout = "2006-01-02T15:04"

// composeData is what the compose page shows.
type composeData struct {
	F       desk.Fields
	In      desk.Intent
	Local   struct{ PublishAt, LiveStart string }
	Errors  map[string][]string // field -> problems
	Others  []string            // problems of no listed field
	Preview *desk.Preview
	// TgRoute is where Telegram posts the bulletin (nil: unknown, or not on Telegram).
	TgRoute *desk.TelegramRoute
	Zone    string
	Known   []string
	// Suggested: the id shown is the one the title suggests, not one staff typed; the
	// script keeps following the title until staff type their own.
	Suggested bool
	// Later: a publish time is set, so the button schedules ("Programa").
	Later bool
	// Confirm lists the channels a publish now goes out on, when the page asks to
	// confirm it: the step that works without JavaScript.
	Confirm []string
	// Draft is the draft shown, when the page opened one; Mine the member's own draft of
	// the bulletin when the page shows something else; Editing the colleagues' drafts
	// of it: "Núria is editing this bulletin".
	Draft   *desk.Draft
	Mine    *desk.Draft
	Editing []*desk.Draft
}

func (s *Server) composeData(lang i18n.Lang, f desk.Fields, in desk.Intent, p *desk.Preview) composeData {
	d := composeData{F: f, In: in, Preview: p, Errors: map[string][]string{}, Zone: zoneCity(s.opts.Location), Known: bulletin.KnownChannels,
		Later: strings.TrimSpace(f.PublishAt) != ""}
	if p != nil && p.SuggestedID != "" && strings.TrimSpace(f.ID) == "" {
		d.F.ID, d.Suggested = p.SuggestedID, true
	}
	d.Local.PublishAt, d.Local.LiveStart = s.toLocal(f.PublishAt), s.toLocal(f.LiveStart)
	if slices.Contains(f.Channels, bulletin.Telegram) {
		// The profile is cached by the desk; this bounds the rare read of the bus.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		d.TgRoute = s.desk.TelegramRoute(ctx, strings.TrimSpace(f.Lang))
		cancel()
	}
	if p != nil {
		for _, pr := range p.Problems {
			field, msg := formField(pr.Field), s.problemWords(lang, pr)
			if field == "" {
				d.Others = append(d.Others, msg)
				continue
			}
			d.Errors[field] = append(d.Errors[field], msg)
		}
	}
	return d
}

func (s *Server) composeNew(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	f := desk.Fields{Lang: "ca", Channels: []string{bulletin.Telegram, bulletin.Web}}
	if g := r.URL.Query().Get("translate"); g != "" {
		// A translation: same group, the other language, the original's text to start from.
		if rev, err := s.desk.Latest(r.Context(), g); err == nil {
			f = desk.FieldsOf(rev.Bulletin)
			// Its own publish time is staff's to choose: the original's may be past.
			f.Group, f.ID, f.PublishAt = rev.Bulletin.Group, "", ""
			f.Lang = map[string]string{"ca": "es", "es": "ca"}[rev.Bulletin.Lang]
		}
	}
	s.showCompose(w, r, u, f, desk.Intent{New: true}, i18n.Msg{})
}

func (s *Server) composeEdit(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	ctx, id := r.Context(), r.PathValue("id")
	sched, err := s.desk.Scheduled(ctx, id)
	if err != nil {
		s.fail(w, r, "message", page{Title: i18n.M("title.edit"), User: u}, err)
		return
	}
	rev, err := s.desk.Latest(ctx, id)
	var nf *desk.NotFoundError
	if err != nil && !(asErr(err, &nf) && sched != nil) {
		s.fail(w, r, "message", page{Title: i18n.M("title.edit"), User: u}, err)
		return
	}
	in := desk.Intent{}
	if rev != nil {
		in.BaseRev = rev.Rev
	}
	switch {
	case sched != nil:
		// The scheduled text is the newest: changing it reschedules or publishes it.
		s.showCompose(w, r, u, desk.FieldsOf(sched.Bulletin), in,
			i18n.M("compose.scheduled", i18n.Date(sched.At, s.opts.Location)))
	case rev.Action == bulletin.Retract:
		s.showCompose(w, r, u, desk.FieldsOf(rev.Bulletin), in,
			i18n.M("compose.retracted"))
	default:
		s.showComposeWith(w, r, u, desk.FieldsOf(rev.Bulletin), in, i18n.Msg{}, func(d *composeData) { s.addEditing(r, u, d) })
	}
}

// composeDraft opens the member's own draft of id, else the latest saved one (the
// address of a draft from before drafts were kept per author).
func (s *Server) composeDraft(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	dr, err := s.desk.DraftBy(r.Context(), r.PathValue("id"), u.Name)
	if err != nil {
		dr, err = s.desk.Draft(r.Context(), r.PathValue("id"))
	}
	if err != nil {
		s.fail(w, r, "message", page{Title: i18n.M("title.draft"), User: u}, err)
		return
	}
	s.showDraft(w, r, u, dr)
}

func (s *Server) showCompose(w http.ResponseWriter, r *http.Request, u *accounts.User, f desk.Fields, in desk.Intent, notice i18n.Msg) {
	s.showComposeWith(w, r, u, f, in, notice, nil)
}

// showComposeWith is showCompose with more for the page, added by more when not nil.
func (s *Server) showComposeWith(w http.ResponseWriter, r *http.Request, u *accounts.User, f desk.Fields, in desk.Intent, notice i18n.Msg, more func(*composeData)) {
	lang := s.langOf(r, u)
	p, err := s.desk.Preview(r.Context(), f, in)
	if err != nil {
		s.fail(w, r, "compose", page{Title: i18n.M("title.compose"), User: u, Data: s.composeData(lang, f, in, nil)}, err)
		return
	}
	if in.New && f.ID == "" {
		p.Problems = nil // a blank form, or a translation's, has nothing wrong yet
	}
	d := s.composeData(lang, f, in, p)
	if more != nil {
		more(&d)
	}
	s.render(w, r, http.StatusOK, "compose", page{Title: i18n.M("title.compose"), User: u, Notice: notice, Data: d})
}

// composePost previews, saves a draft or publishes. Whatever happens, the page comes
// back with the text as typed unless it was published.
func (s *Server) composePost(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	f, in := s.formFields(r)
	ctx := r.Context()
	a := actor(r, u)
	lang := s.langOf(r, u)
	pg := page{Title: i18n.M("title.compose"), User: u}
	preview := func() *desk.Preview {
		p, err := s.desk.Preview(ctx, f, in)
		if err != nil {
			s.log.Warn("preview failed", "err", err)
			return nil
		}
		return p
	}
	switch r.PostFormValue("action") {
	case "draft":
		if err := s.desk.SaveDraft(ctx, a, f, in.BaseRev); err != nil {
			pg.Data = s.composeData(lang, f, in, withProblems(preview(), err))
			s.fail(w, r, "compose", pg, err)
			return
		}
		in.DraftOf, in.DraftRev = a.Name, 0 // saved: what the page holds now is the member's own draft
		mine, _ := s.desk.DraftBy(ctx, f.ID, a.Name)
		if mine != nil {
			in.DraftRev = mine.Rev
		}
		d := s.composeData(lang, f, in, preview())
		d.Draft = mine
		pg.Notice, pg.Data = draftSaved(u), d
		s.render(w, r, http.StatusOK, "compose", pg)
	case "ready", "unready", "keep":
		s.saveAndMark(w, r, u, f, in)
	case "publish", "confirm":
		if in.New && f.ID == "" {
			// The page's address is never invented behind staff's back: the form comes
			// back with the title's suggestion in the id field, to check and confirm.
			pg.Error, pg.Data = i18n.M("compose.idEmpty"), s.composeData(lang, f, in, preview())
			s.render(w, r, http.StatusUnprocessableEntity, "compose", pg)
			return
		}
		if r.PostFormValue("action") == "confirm" && r.PostFormValue("confirmed") != "1" && !s.desk.GoesOutLater(f.PublishAt) {
			// Publishing now cannot be undone (citizens see it at once), so the button
			// asks first: the script with a dialog, else this page with a second button.
			var conflict *desk.ConflictError
			if _, _, err := s.desk.Check(ctx, f.Source(), in); errors.As(err, &conflict) {
				// Changed meanwhile: nothing to confirm before the member picks a version.
				s.showConflict(w, r, u, f, in, conflict.Latest)
				return
			}
			d := s.composeData(lang, f, in, preview())
			if len(d.Errors) == 0 && len(d.Others) == 0 {
				d.Confirm = f.Channels
			}
			pg.Data = d
			s.render(w, r, http.StatusOK, "compose", pg)
			return
		}
		out, err := s.desk.Publish(ctx, a, f.Source(), in)
		var conflict *desk.ConflictError
		if errors.As(err, &conflict) {
			s.showConflict(w, r, u, f, in, conflict.Latest)
			return
		}
		if err != nil {
			pg.Data = s.composeData(lang, f, in, withProblems(preview(), err))
			s.fail(w, r, "compose", pg, err)
			return
		}
		if len(out.KeptDrafts) > 0 {
			// Her draft changed after the publisher opened it: it is kept, and shown.
			http.Redirect(w, r, keptAddress(out), http.StatusSeeOther)
			return
		}
		done := "published"
		switch {
		case out.Scheduled != nil:
			done = "scheduled"
		case !out.Changed:
			done = "unchanged"
		}
		http.Redirect(w, r, "/bulletins/"+url.PathEscape(out.ID)+"?done="+done, http.StatusSeeOther)
	default:
		pg.Data = s.composeData(lang, f, in, preview())
		s.render(w, r, http.StatusOK, "compose", pg)
	}
}

// keptAddress opens the draft a publish kept because its author changed it meanwhile,
// with the notice that says so.
func keptAddress(out *desk.Outcome) string {
	done := "kept"
	if out.Scheduled != nil {
		done = "kept-scheduled"
	}
	return "/drafts/" + url.PathEscape(out.ID) + "/" + desk.AuthorKey(out.KeptDrafts[0]) + "?done=" + done
}

// draftSaved is the notice after a save: a writer hands the draft on, a publisher may
// publish it herself.
func draftSaved(u *accounts.User) i18n.Msg {
	if u.Role.Allows(accounts.Publisher) {
		return i18n.M("compose.draftSavedPublisher")
	}
	return i18n.M("compose.draftSaved")
}

func (s *Server) deleteDraft(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	if err := s.desk.DeleteDraft(r.Context(), actor(r, u), r.PathValue("id")); err != nil {
		s.fail(w, r, "message", page{Title: i18n.M("title.draft"), User: u}, err)
		return
	}
	http.Redirect(w, r, "/?done=draft-deleted", http.StatusSeeOther)
}
