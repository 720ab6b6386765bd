package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/schedule"
)

// notices are the messages a redirect after a successful action asks for by code, so
// no text from the URL is ever shown.
var notices = map[string]string{
	"published":       "done.published",
	"unchanged":       "done.unchanged",
	"scheduled":       "done.scheduled",
	"retracted":       "done.retracted",
	"retried":         "done.retried",
	"schedule-cancel": "done.scheduleCancel",
	"draft-deleted":   "done.draftDeleted",
}

// notice is the message the redirect's done code asks for; none for an unknown code.
func notice(r *http.Request) i18n.Msg {
	if key, ok := notices[r.URL.Query().Get("done")]; ok {
		return i18n.M(key)
	}
	return i18n.Msg{}
}

type listData struct {
	Rows      []desk.Row
	Drafts    desk.DraftList
	Schedules []schedule.Entry
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	ctx := r.Context()
	pg := page{Title: i18n.M("title.bulletins"), User: u, Notice: notice(r)}
	rows, err := s.desk.Overview(ctx)
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	drafts, err := s.desk.Drafts(ctx)
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	scheds, err := s.desk.Schedules(ctx)
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	pg.Data = listData{Rows: rows, Drafts: drafts, Schedules: scheds}
	s.render(w, r, http.StatusOK, "list", pg)
}

type detailData struct {
	Status    *delivery.Status
	History   []desk.Change
	Scheduled *schedule.Entry
	Permalink string
	// Translations are the bulletin in its other languages, linked from its header.
	Translations []*bulletin.Bulletin
}

func (s *Server) detail(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	ctx := r.Context()
	id := r.PathValue("id")
	pg := page{Title: i18n.Raw(id), User: u, Notice: notice(r)}
	sched, err := s.desk.Scheduled(ctx, id)
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	st, err := s.desk.Status(ctx, id)
	var nf *desk.NotFoundError
	if asErr(err, &nf) && sched != nil {
		pg.Data = detailData{Scheduled: sched, Permalink: s.desk.Permalink(id)}
		s.render(w, r, http.StatusOK, "detail", pg)
		return
	}
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	hist, err := s.desk.History(ctx, id)
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	pg.Title = i18n.Raw(st.Latest.Bulletin.Title)
	tr, err := s.desk.Translations(ctx, st.Latest.Bulletin)
	if err != nil { // only the links are lost: the page still shows
		s.log.Warn("translations", "id", id, "err", err)
	}
	pg.Data = detailData{Status: st, History: hist, Scheduled: sched, Permalink: s.desk.Permalink(id), Translations: tr}
	s.render(w, r, http.StatusOK, "detail", pg)
}

// act runs one action on a bulletin and goes back to its page.
func (s *Server) act(w http.ResponseWriter, r *http.Request, u *accounts.User, done string, fn func(desk.Actor, string) error) {
	id := r.PathValue("id")
	if err := fn(actor(r, u), id); err != nil {
		s.fail(w, r, "message", page{Title: i18n.Raw(id), User: u, Data: id}, err)
		return
	}
	http.Redirect(w, r, "/bulletins/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
}

// retractAsk is the step before a retraction: what will happen, and the reason to
// give, asked for by a page so it works without JavaScript (the script asks in a
// dialog instead and posts at once).
func (s *Server) retractAsk(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	id := r.PathValue("id")
	pg := page{Title: i18n.M("title.retract"), User: u}
	if !u.Role.Allows(accounts.Publisher) {
		s.fail(w, r, "message", pg, &desk.ForbiddenError{Action: "retract", Need: accounts.Publisher})
		return
	}
	rev, err := s.desk.Latest(r.Context(), id)
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	pg.Data = struct{ ID, Title string }{id, rev.Bulletin.Title}
	s.render(w, r, http.StatusOK, "retract", pg)
}

func (s *Server) retract(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	s.act(w, r, u, "retracted", func(a desk.Actor, id string) error {
		_, err := s.desk.RetractBecause(r.Context(), a, id, r.PostFormValue("reason"))
		return err
	})
}

func (s *Server) retry(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	s.act(w, r, u, "retried", func(a desk.Actor, id string) error {
		return s.desk.Retry(r.Context(), a, id, r.PostFormValue("channel"))
	})
}

func (s *Server) cancelSchedule(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	s.act(w, r, u, "schedule-cancel", func(a desk.Actor, id string) error {
		return s.desk.CancelSchedule(r.Context(), a, id)
	})
}

// auditPageSize is how many events the audit page shows.
const auditPageSize = 300

// auditData is the audit page: the events its filter picks, and the filter's form.
type auditData struct {
	Events  []audit.Event
	Filter  audit.Filter
	Actions []string
	// Searched is how many of the newest events a filter looked at; Complete says it
	// looked at them all.
	Searched int
	Complete bool
}

// auditPage shows the newest events, filtered by actor, action and bulletin when the
// GET form asks: a plain form, so it works without JavaScript and can be bookmarked.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	pg := page{Title: i18n.M("title.audit"), User: u}
	if !u.Role.Allows(accounts.Publisher) {
		s.fail(w, r, "message", pg, &desk.ForbiddenError{Action: "read the audit log", Need: accounts.Publisher})
		return
	}
	q := r.URL.Query()
	f := audit.Filter{Actor: strings.TrimSpace(q.Get("actor")), Action: q.Get("action"), Bulletin: strings.TrimSpace(q.Get("bulletin"))}
	found, err := s.audit.Search(r.Context(), f, auditPageSize, 0)
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	pg.Data = auditData{Events: found.Events, Filter: f, Actions: audit.Actions(), Searched: found.Searched, Complete: found.Complete}
	s.render(w, r, http.StatusOK, "audit", pg)
}
