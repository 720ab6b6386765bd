package api

import (
	"net/http"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
)

func (s *Server) list(w http.ResponseWriter, r *http.Request, _ desk.Actor) {
	rows, err := s.desk.Overview(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	if rows == nil {
		rows = []desk.Row{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"bulletins": rows})
}

func (s *Server) publish(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	src, in, err := source(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	out, err := s.desk.Publish(r.Context(), a, src, in)
	if err != nil {
		s.fail(w, err)
		return
	}
	status := http.StatusCreated
	switch {
	case out.Scheduled != nil:
		status = http.StatusAccepted
	case !out.Changed:
		status = http.StatusOK
	}
	writeJSON(w, status, out)
}

func (s *Server) preview(w http.ResponseWriter, r *http.Request, _ desk.Actor) {
	src, in, err := source(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	_, problems, err := s.desk.Check(r.Context(), src, in)
	if err != nil {
		s.fail(w, err)
		return
	}
	if problems == nil {
		problems = []desk.Problem{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": len(problems) == 0, "problems": s.inWords(w, problems)})
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, _ desk.Actor) {
	st, err := s.desk.Status(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, _ desk.Actor) {
	h, err := s.desk.History(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"revisions": h})
}

func (s *Server) retract(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	rev, err := s.desk.Retract(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"revision": rev})
}

func (s *Server) retry(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	id, ch := r.PathValue("id"), r.PathValue("channel")
	if err := s.desk.Retry(r.Context(), a, id, ch); err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "channel": ch, "state": "pending"})
}

func (s *Server) schedules(w http.ResponseWriter, r *http.Request, _ desk.Actor) {
	list, err := s.desk.Schedules(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	type item struct {
		ID     string    `json:"id"`
		Title  string    `json:"title"`
		At     time.Time `json:"at"`
		Author string    `json:"author"`
	}
	out := []item{}
	for _, e := range list {
		out = append(out, item{e.Bulletin.ID, e.Bulletin.Title, e.At, e.Author})
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedules": out})
}

func (s *Server) cancelSchedule(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	if err := s.desk.CancelSchedule(r.Context(), a, r.PathValue("id")); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	if !a.Role.Allows(accounts.Publisher) {
		s.fail(w, &desk.ForbiddenError{Action: "read the audit log", Need: accounts.Publisher})
		return
	}
	ev, err := s.audit.Recent(r.Context(), 500)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": ev})
}
