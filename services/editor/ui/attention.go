package ui

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
)

// LiveHeader marks a page's own re-read by its script when the bus changed (app.js):
// it shows the page as a load would, but does not refresh the session's idle timer,
// so a tab left open does not keep a session alive.
const LiveHeader = "X-Pregoner-Live"

// peekSession is session for a live re-read: the member, without touching the session.
func (s *Server) peekSession(r *http.Request) (*accounts.User, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil, nil
	}
	u, err := s.acc.PeekSession(r.Context(), c.Value, s.opts.Sessions)
	if errors.Is(err, accounts.ErrNoSession) {
		return nil, nil
	}
	return u, err
}

// attention is what the needs-attention panel shows to writers and publishers: the
// dead deliveries of latest revisions and the schedules that did not go out. A
// failure to read them leaves the panel out (logged): the page itself still works.
func (s *Server) attention(r *http.Request, u *accounts.User) []desk.Trouble {
	if u == nil || !u.Role.Allows(accounts.Writer) {
		return nil
	}
	ts, err := s.desk.Attention(r.Context())
	if err != nil {
		s.log.Warn("needs-attention panel left out", "err", err)
		return nil
	}
	return ts
}

// attentionFuncs are the template functions for failures, in lang: reason puts a
// reason code in words with what to do, retryHelps says whether Retry is worth
// offering for it, actor names an audit event's actor (the system in words).
func (s *Server) attentionFuncs(lang i18n.Lang) template.FuncMap {
	return template.FuncMap{
		"reason":     func(code string) string { return s.words.T(lang, desk.ReasonKey(code)) },
		"retryHelps": func(code string) bool { return desk.RemedyFor(code).Retry },
		"actor": func(name string) string {
			if name == "" || name == audit.System {
				return s.words.T(lang, "actor.system")
			}
			return name
		},
	}
}
