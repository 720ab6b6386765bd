package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/paeria/pregoner/services/editor/desk"
)

// Drafts through the API: each member's own draft of a bulletin, as in the UI and
// with the desk's same checks — saving never replaces a colleague's draft, only a
// draft's author or a publisher deletes it, a new bulletin's draft may not take a
// published id. {author} is the member's name as it is ("núria"), percent-encoded in
// the address as any path segment.

func (s *Server) drafts(w http.ResponseWriter, r *http.Request, _ desk.Actor) {
	list, err := s.desk.Drafts(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	if r.URL.Query().Get("ready") == "true" {
		list = list.Ready()
	}
	writeJSON(w, http.StatusOK, map[string]any{"drafts": nonNil(list)})
}

func (s *Server) draftsOf(w http.ResponseWriter, r *http.Request, _ desk.Actor) {
	list, err := s.desk.DraftsOf(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"drafts": nonNil(list)})
}

func (s *Server) draftBy(w http.ResponseWriter, r *http.Request, _ desk.Actor) {
	dr, err := s.desk.DraftBy(r.Context(), r.PathValue("id"), r.PathValue("author"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, dr)
}

// draftRequest is the body of PUT /api/drafts/{id}: the fields, and the revision the
// draft edits (0 or none for a new bulletin).
type draftRequest struct {
	Fields  desk.Fields `json:"fields"`
	BaseRev int         `json:"base_rev"`
}

// saveDraft keeps the body as the caller's own draft of {id}; a body's id that differs
// from the address is refused rather than saved elsewhere.
func (s *Server) saveDraft(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxRequest))
	if err != nil {
		s.fail(w, err)
		return
	}
	var req draftRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.fail(w, &desk.InvalidError{Problems: []desk.Problem{{Message: "the JSON does not parse: " + err.Error() + ` (want {"fields": {...}, "base_rev": N})`}}})
		return
	}
	id := r.PathValue("id")
	if req.Fields.ID == "" {
		req.Fields.ID = id
	}
	if req.Fields.ID != id {
		s.fail(w, &desk.InvalidError{Problems: []desk.Problem{{Field: "id", Message: "the fields' id " + req.Fields.ID + " is not the address's " + id + ": send it to /api/drafts/" + req.Fields.ID}}})
		return
	}
	if err := s.desk.SaveDraft(r.Context(), a, req.Fields, req.BaseRev); err != nil {
		s.fail(w, err)
		return
	}
	dr, err := s.desk.DraftBy(r.Context(), id, a.Name)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, dr)
}

func (s *Server) deleteDraft(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	author := r.PathValue("author")
	if author == "" {
		author = a.Name
	}
	if err := s.desk.DeleteDraftBy(r.Context(), a, r.PathValue("id"), author); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// markReady marks {author}'s draft ready for review, or takes the mark back: body
// {"ready": true|false}.
func (s *Server) markReady(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	var req struct {
		Ready *bool `json:"ready"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1024)).Decode(&req); err != nil || req.Ready == nil {
		s.fail(w, &desk.InvalidError{Problems: []desk.Problem{{Field: "ready", Message: `send {"ready": true} or {"ready": false}`}}})
		return
	}
	dr, err := s.desk.MarkReady(r.Context(), a, r.PathValue("id"), r.PathValue("author"), *req.Ready)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, dr)
}

// takeOver copies {author}'s draft into the caller's own; hers is kept.
func (s *Server) takeOver(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	dr, err := s.desk.TakeOver(r.Context(), a, r.PathValue("id"), r.PathValue("author"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, dr)
}

func nonNil(l desk.DraftList) desk.DraftList {
	if l == nil {
		return desk.DraftList{}
	}
	return l
}
