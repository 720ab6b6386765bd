package api

import (
	"net/http"
	"strings"

	"github.com/paeria/pregoner/services/editor/accounts"
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
	lang  i18n.Lang
	words *i18n.Catalogue
}

// Unwrap lets http.ResponseController reach the server's writer.
func (sp *speaker) Unwrap() http.ResponseWriter { return sp.ResponseWriter }

// speak returns w speaking the language r asks for, or w itself when r asks none.
func (s *Server) speak(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	if s.words == nil || strings.TrimSpace(r.Header.Get("Accept-Language")) == "" {
		return w
	}
	return &speaker{ResponseWriter: w, lang: s.words.Match(r.Header.Get("Accept-Language")), words: s.words}
}

// said is m in w's language, or english when w speaks none.
func (s *Server) said(w http.ResponseWriter, english string, m i18n.Msg) string {
	return say(w, english, m)
}

// say is said for code that has the writer but not the server (a route's wrapper).
func say(w http.ResponseWriter, english string, m i18n.Msg) string {
	sp, ok := w.(*speaker)
	if !ok {
		return english
	}
	return sp.words.Msg(sp.lang, m)
}

// ruleWords is a refusal of the accounts rules in w's language: its catalogue key and
// arguments, or its English text when w speaks none.
func ruleWords(w http.ResponseWriter, rule *accounts.RuleError) string {
	args := make([]any, len(rule.Args))
	for i, a := range rule.Args {
		if word, ok := a.(accounts.Word); ok {
			a = i18n.W(word.Kind, word.Value) // a role or a scope, in the reader's word
		}
		args[i] = a
	}
	return say(w, rule.Text, i18n.M(rule.Key, args...))
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
