package ui

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
)

// withProblems adds an InvalidError's problems to the preview, so they show at their
// fields even when the preview itself found none (e.g. a publisher-only check).
func withProblems(p *desk.Preview, err error) *desk.Preview {
	var inv *desk.InvalidError
	if p == nil || !errors.As(err, &inv) {
		return p
	}
	seen := map[string]bool{}
	for _, pr := range p.Problems {
		seen[pr.String()] = true
	}
	for _, pr := range inv.Problems {
		if !seen[pr.String()] {
			p.Problems = append(p.Problems, pr)
		}
	}
	return p
}

// previewJSON answers the compose page's script as the member types.
func (s *Server) previewJSON(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	f, in := s.formFields(r)
	p, err := s.desk.Preview(r.Context(), f, in)
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		status, msg := explain(err, s.opts.Location)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": s.words.Msg(s.langOf(r, u), msg)})
		return
	}
	type fieldProblem struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	}
	out := struct {
		*desk.Preview
		Problems []fieldProblem `json:"problems"`
	}{Preview: p, Problems: []fieldProblem{}}
	lang := s.langOf(r, u)
	for _, pr := range p.Problems {
		out.Problems = append(out.Problems, fieldProblem{formField(pr.Field), s.problemWords(lang, pr)})
	}
	_ = json.NewEncoder(w).Encode(out)
}
