package api

import (
	"net/http"
	"strings"

	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
)

// speaker is the response writer of a request that asked for a language (its
// Accept-Language): its error messages and problems are put in that language, the
// editor's best match, Catalan when none matches. A request that asks none — the
// command line, a script — gets the English the README documents, which it may print
// or match; the JSON's codes and field names are the same in every language.
type speaker struct {
	http.ResponseWriter
	lang i18n.Lang
}

// Unwrap lets http.ResponseController reach the server's writer.
func (sp *speaker) Unwrap() http.ResponseWriter { return sp.ResponseWriter }

// speak returns w speaking the language r asks for, or w itself when r asks none.
func (s *Server) speak(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	if s.words == nil || strings.TrimSpace(r.Header.Get("Accept-Language")) == "" {
		return w
	}
	return &speaker{ResponseWriter: w, lang: s.words.Match(r.Header.Get("Accept-Language"))}
}

// said is m in w's language, or english when w speaks none.
func (s *Server) said(w http.ResponseWriter, english string, m i18n.Msg) string {
	sp, ok := w.(*speaker)
	if !ok {
		return english
	}
	return s.words.Msg(sp.lang, m)
}

// inWords is ps with each message in w's language; a problem without a message key
// keeps its English.
func (s *Server) inWords(w http.ResponseWriter, ps []desk.Problem) []desk.Problem {
	sp, ok := w.(*speaker)
	if !ok {
		return ps
	}
	out := make([]desk.Problem, len(ps))
	for i, p := range ps {
		if !p.Msg.IsZero() {
			p.Message = s.words.Msg(sp.lang, p.Msg)
		}
		out[i] = p
	}
	return out
}
