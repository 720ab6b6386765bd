package ui

import (
	"net/http"
	"net/url"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/schedule"
)

// notices are the messages a redirect after a successful action asks for by code, so
// no text from the URL is ever shown.
var notices = map[string]string{
	"published":       "Published. The channels are taking it now; watch their states below.",
	"unchanged":       "Nothing changed: this text is already the latest revision.",
	"scheduled":       "Scheduled. It goes out at the time shown, even if the server restarts meanwhile; you can change or cancel it until then.",
	"retracted":       "Retracted. Each channel is removing it; watch their states below.",
	"retried":         "Sent back to the channel's worker. Watch its state below.",
	"schedule-cancel": "Schedule cancelled: nothing will be published.",
	"draft-deleted":   "Draft deleted.",
}

type listData struct {
	Rows      []desk.Row
	Drafts    []*desk.Draft
	Schedules []schedule.Entry
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	ctx := r.Context()
	pg := page{Title: "Bulletins", User: u, Notice: notices[r.URL.Query().Get("done")]}
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
	s.render(w, http.StatusOK, "list", pg)
}

type detailData struct {
	Status    *delivery.Status
	History   []desk.Change
	Scheduled *schedule.Entry
	Permalink string
}

func (s *Server) detail(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	ctx := r.Context()
	id := r.PathValue("id")
	pg := page{Title: id, User: u, Notice: notices[r.URL.Query().Get("done")]}
	sched, err := s.desk.Scheduled(ctx, id)
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	st, err := s.desk.Status(ctx, id)
	var nf *desk.NotFoundError
	if asErr(err, &nf) && sched != nil {
		pg.Data = detailData{Scheduled: sched, Permalink: s.desk.Permalink(id)}
		s.render(w, http.StatusOK, "detail", pg)
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
	pg.Title = st.Latest.Bulletin.Title
	pg.Data = detailData{Status: st, History: hist, Scheduled: sched, Permalink: s.desk.Permalink(id)}
	s.render(w, http.StatusOK, "detail", pg)
}

// act runs one action on a bulletin and goes back to its page.
func (s *Server) act(w http.ResponseWriter, r *http.Request, u *accounts.User, done string, fn func(desk.Actor, string) error) {
	id := r.PathValue("id")
	if err := fn(actor(r, u), id); err != nil {
		s.fail(w, r, "message", page{Title: id, User: u, Data: id}, err)
		return
	}
	http.Redirect(w, r, "/bulletins/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
}

func (s *Server) retract(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	s.act(w, r, u, "retracted", func(a desk.Actor, id string) error {
		_, err := s.desk.Retract(r.Context(), a, id)
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

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	pg := page{Title: "Audit log", User: u}
	if !u.Role.Allows(accounts.Publisher) {
		s.fail(w, r, "message", pg, &desk.ForbiddenError{Action: "read the audit log", Need: accounts.Publisher})
		return
	}
	events, err := s.audit.Recent(r.Context(), auditPageSize)
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	pg.Data = events
	s.render(w, http.StatusOK, "audit", pg)
}
