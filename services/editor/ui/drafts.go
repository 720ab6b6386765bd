package ui

import (
	"net/http"
	"net/url"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
)

// registerDrafts adds the routes of drafts that belong to their author: each member
// has her own draft of a bulletin, addressed by the bulletin's id and her name as
// desk.AuthorKey encodes it.
func (s *Server) registerDrafts(mux *http.ServeMux) {
	mux.Handle("GET /drafts/{id}/{who}", s.auth(s.withID(s.composeDraftBy)))
	mux.Handle("POST /drafts/{id}/{who}/delete", s.auth(s.withID(s.deleteDraftBy)))
	mux.Handle("POST /drafts/{id}/{who}/take-over", s.auth(s.withID(s.takeOver)))
	mux.Handle("POST /drafts/{id}/{who}/ready", s.auth(s.withID(s.markReady)))
}

// draftAddress is where a member's draft of id opens.
func draftAddress(dr *desk.Draft) string {
	return "/drafts/" + url.PathEscape(dr.Fields.ID) + "/" + dr.Who
}

func (s *Server) composeDraftBy(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	dr, err := s.desk.DraftByKey(r.Context(), r.PathValue("id"), r.PathValue("who"))
	if err != nil {
		s.fail(w, r, "message", page{Title: i18n.M("title.draft"), User: u}, err)
		return
	}
	s.showDraft(w, r, u, dr)
}

// showDraft opens a draft in the compose page. A colleague's draft is shown as hers:
// saving keeps a copy of one's own (hers is never replaced), and a publisher who
// publishes it publishes it as written by her.
func (s *Server) showDraft(w http.ResponseWriter, r *http.Request, u *accounts.User, dr *desk.Draft) {
	in := desk.Intent{New: dr.BaseRev == 0, BaseRev: dr.BaseRev, DraftOf: dr.Author, DraftRev: dr.Rev}
	notice := i18n.M("compose.draftBy", dr.Author, i18n.Date(dr.Updated, s.opts.Location))
	if dr.Author != u.Name {
		notice = i18n.M("drafts.theirs", dr.Author, i18n.Date(dr.Updated, s.opts.Location))
	}
	if m, ok := draftDone(r, dr); ok {
		notice = m
	}
	s.showComposeWith(w, r, u, dr.Fields, in, notice, func(d *composeData) {
		d.Draft = dr
		s.addEditing(r, u, d)
	})
}

// addEditing fills in who else has a draft of the bulletin, for the "is editing"
// notice. A failure to look only loses the notice: the page still opens.
func (s *Server) addEditing(r *http.Request, u *accounts.User, d *composeData) {
	if d.F.ID == "" {
		return
	}
	others, err := s.desk.Others(r.Context(), d.F.ID, u.Name)
	if err != nil {
		s.log.Warn("who else is editing", "id", d.F.ID, "err", err)
		return
	}
	for _, o := range others {
		if d.Draft == nil || o.Author != d.Draft.Author {
			d.Editing = append(d.Editing, o)
		}
	}
	if d.Draft == nil || d.Draft.Author != u.Name {
		if mine, err := s.desk.DraftBy(r.Context(), d.F.ID, u.Name); err == nil {
			d.Mine = mine
		}
	}
}

func (s *Server) deleteDraftBy(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	dr, err := s.desk.DraftByKey(r.Context(), r.PathValue("id"), r.PathValue("who"))
	if err == nil {
		err = s.desk.DeleteDraftBy(r.Context(), actor(r, u), dr.Fields.ID, dr.Author)
	}
	if err != nil {
		s.fail(w, r, "message", page{Title: i18n.M("title.draft"), User: u}, err)
		return
	}
	http.Redirect(w, r, "/?done=draft-deleted", http.StatusSeeOther)
}

// takeOver copies a colleague's draft into the member's own and opens it.
func (s *Server) takeOver(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	dr, err := s.desk.DraftByKey(r.Context(), r.PathValue("id"), r.PathValue("who"))
	if err == nil {
		dr, err = s.desk.TakeOver(r.Context(), actor(r, u), dr.Fields.ID, dr.Author)
	}
	if err != nil {
		s.fail(w, r, "message", page{Title: i18n.M("title.draft"), User: u}, err)
		return
	}
	http.Redirect(w, r, draftAddress(dr), http.StatusSeeOther)
}

// markReady marks a draft ready for review (ready=1) or takes the mark back.
func (s *Server) markReady(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	dr, err := s.desk.DraftByKey(r.Context(), r.PathValue("id"), r.PathValue("who"))
	if err == nil {
		dr, err = s.desk.MarkReady(r.Context(), actor(r, u), dr.Fields.ID, dr.Author, r.PostFormValue("ready") == "1")
	}
	if err != nil {
		s.fail(w, r, "message", page{Title: i18n.M("title.draft"), User: u}, err)
		return
	}
	http.Redirect(w, r, draftAddress(dr), http.StatusSeeOther)
}

// saveAndMark saves the form as the member's own draft, then: "ready" marks it ready
// for review, "unready" takes the mark back, "keep" (the conflict page's "keep the
// current one") leaves it a draft. The draft's page opens with what was done.
func (s *Server) saveAndMark(w http.ResponseWriter, r *http.Request, u *accounts.User, f desk.Fields, in desk.Intent) {
	ctx, a, action := r.Context(), actor(r, u), r.PostFormValue("action")
	err := s.desk.SaveDraft(ctx, a, f, in.BaseRev)
	var dr *desk.Draft
	if err == nil {
		dr, err = s.desk.DraftBy(ctx, f.ID, a.Name)
	}
	if err == nil && action != "keep" {
		dr, err = s.desk.MarkReady(ctx, a, f.ID, a.Name, action == "ready")
	}
	if err != nil {
		p, perr := s.desk.Preview(ctx, f, in)
		if perr != nil {
			p = nil
		}
		s.fail(w, r, "compose", page{Title: i18n.M("title.compose"), User: u, Data: s.composeData(s.langOf(r, u), f, in, withProblems(p, err))}, err)
		return
	}
	done := action
	if action == "keep" && r.PostFormValue("withdrawn") == "1" {
		done = "keep-withdrawn" // the conflict page over a withdrawal: nothing is published now
	}
	http.Redirect(w, r, draftAddress(dr)+"?done="+done, http.StatusSeeOther)
}

// draftDone is the notice a draft's page shows after what saveAndMark did, or after a
// publish that kept dr because its author changed it meanwhile.
func draftDone(r *http.Request, dr *desk.Draft) (i18n.Msg, bool) {
	switch r.URL.Query().Get("done") {
	case "kept":
		return i18n.M("drafts.keptPublished", dr.Author), true
	case "kept-scheduled":
		return i18n.M("drafts.keptScheduled", dr.Author), true
	case "ready":
		return i18n.M("drafts.markedReady"), true
	case "unready":
		return i18n.M("drafts.markedUnready"), true
	case "keep":
		return i18n.M("conflict.kept"), true
	case "keep-withdrawn":
		return i18n.M("conflict.keptWithdrawn"), true
	}
	return i18n.Msg{}, false
}
