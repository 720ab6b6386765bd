package ui

import (
	"net/http"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/i18n"
)

// LangCookie keeps the language chosen in this browser, for the login page and for
// anyone who chose before logging in. __Host- for the same reasons as the session's.
const LangCookie = "__Host-pregoner-lang"

// langOf is the language of the page for r: the member's own choice, else this
// browser's, else the best match of the browser's Accept-Language, else Catalan.
func (s *Server) langOf(r *http.Request, u *accounts.User) i18n.Lang {
	if u != nil {
		if l, ok := i18n.Parse(u.Lang); ok {
			return l
		}
	}
	if c, err := r.Cookie(LangCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	return s.words.Match(r.Header.Get("Accept-Language"))
}

// setLang is the language switch on every page: the choice is kept in this browser
// and, for a member, with her account, then she is back on the page she was reading.
// It needs no login, so the login page can be read in one's language.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	l, ok := i18n.Parse(r.PostFormValue("lang"))
	if !ok {
		http.Error(w, s.words.T(s.langOf(r, nil), "lang.unknown"), http.StatusBadRequest)
		return
	}
	u, err := s.session(r)
	if err != nil {
		s.log.Warn("language switch: session", "err", err)
	}
	if u != nil {
		if err := s.acc.SetLang(r.Context(), u.Name, string(l)); err != nil {
			// The cookie still carries the choice in this browser.
			s.log.Error("language switch: store with the account", "user", u.Name, "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: string(l), Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: 400 * 24 * 3600})
	// Unlike after a login, the login page itself is a fine place to come back to.
	next := r.PostFormValue("next")
	if !isLocalPath(next) {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// scriptWords are the words app.js shows (live states, previews), in lang: the page
// carries them, so the script holds no text of its own.
func (s *Server) scriptWords(lang i18n.Lang) map[string]string {
	out := map[string]string{
		// Patterns: the script puts the number or title in place of %d or %s.
		"message":      s.words.Pattern(lang, "compose.message"),
		"messages":     s.words.Pattern(lang, "compose.messages"),
		"live":         s.words.Pattern(lang, "compose.liveIs"),
		"noLive":       s.words.T(lang, "compose.noLive"),
		"sessionEnded": s.words.T(lang, "compose.sessionEnded"),
	}
	for _, st := range []string{"pending", "sending", "delivered", "failed", "dead", "retracted", "skipped", "superseded"} {
		out["state."+st] = s.words.Word(lang, "state", st)
	}
	return out
}
