package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
)

type handler func(w http.ResponseWriter, r *http.Request, u *accounts.User)

// session returns the logged-in member of r, or nil.
func (s *Server) session(r *http.Request) (*accounts.User, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil, nil
	}
	if r.Header.Get(LiveHeader) != "" {
		return s.peekSession(r) // a live re-read keeps no session alive
	}
	_, u, err := s.acc.Session(r.Context(), c.Value, s.opts.Sessions)
	if errors.Is(err, accounts.ErrNoSession) {
		return nil, nil
	}
	return u, err
}

// auth lets only logged-in members through; others go to the login page (or get 401
// for anything but a page load).
func (s *Server) auth(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.session(r)
		if err != nil {
			s.fail(w, r, "login", page{Title: i18n.M("title.login")}, err)
			return
		}
		if u == nil {
			if r.Method == http.MethodGet && r.URL.Path != "/events" {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.render(w, r, http.StatusUnauthorized, "login", page{Title: i18n.M("title.login"), Error: i18n.M("login.ended")})
			return
		}
		h(w, r, u)
	})
}

// authKeep is auth for the compose form: when the session has ended, the member's text
// comes back in the form, with a way to log in again without losing it.
func (s *Server) authKeep(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.session(r)
		if err == nil && u != nil {
			h(w, r, u)
			return
		}
		f, in := s.formFields(r)
		s.render(w, r, http.StatusUnauthorized, "compose", page{Title: i18n.M("title.compose"),
			Error: i18n.M("login.endedKeep"), Data: s.composeData(s.langOf(r, nil), f, in, nil)})
	})
}

func actor(r *http.Request, u *accounts.User) desk.Actor {
	return desk.Actor{Name: u.Name, Role: u.Role, Via: "ui", Remote: r.RemoteAddr}
}

type loginData struct {
	Name, Next string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", page{Title: i18n.M("title.login"), Data: loginData{Next: safeNext(r.URL.Query().Get("next"))}})
}

// maxNext bounds the page to return to after login: longer is no page of the editor.
const maxNext = 2048

// safeNext keeps a redirect after login on this site: next is accepted only as a local
// path, else the list ("/") it is. Browsers are lenient where a check would be strict —
// they drop tabs and newlines, read a backslash as "/" and "//host" as another site — so
// anything with a scheme, a host, a backslash or a control character, as sent or once
// percent-decoded, is refused rather than cleaned.
func safeNext(next string) string {
	if !isLocalPath(next) || strings.HasPrefix(next, "/login") {
		return "/"
	}
	return next
}

func isLocalPath(p string) bool {
	if p == "" || len(p) > maxNext || p[0] != '/' || !utf8.ValidString(p) {
		return false
	}
	decoded, err := url.PathUnescape(p)
	if err != nil || !utf8.ValidString(decoded) {
		return false
	}
	for _, v := range []string{p, decoded} {
		if strings.HasPrefix(v, "//") || strings.ContainsRune(v, '\\') || strings.ContainsFunc(v, unicode.IsControl) {
			return false
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == ""
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(strings.ToLower(r.PostFormValue("name")))
	next := safeNext(r.PostFormValue("next"))
	u, err := s.acc.Authenticate(r.Context(), name, r.PostFormValue("password"), strings.TrimSpace(r.PostFormValue("code")), r.RemoteAddr)
	data := loginData{Name: name, Next: next}
	var setup *accounts.SetupError
	if errors.As(err, &setup) {
		s.beginSetup(w, r, setup, next)
		return
	}
	if err != nil {
		if !errors.Is(err, accounts.ErrBadLogin) {
			s.fail(w, r, "login", page{Title: i18n.M("title.login"), Data: data}, err)
			return
		}
		// One answer for an unknown name, a wrong factor and an attempt that came too
		// soon: the page must not tell a guesser which names exist or are waiting.
		// The audit log names the account only when it exists: a password typed into
		// the name field by mistake must not end up in the log.
		who := name
		if _, uerr := s.acc.User(r.Context(), name); uerr != nil {
			who = "(unknown account)"
		}
		s.recordLogin(r, who, false, err.Error())
		s.render(w, r, http.StatusUnauthorized, "login", page{Title: i18n.M("title.login"), Error: i18n.M("login.bad"), Data: data})
		return
	}
	// A login always starts a new session: any session id the browser had is dropped,
	// so an id planted before the login is worth nothing after it.
	if c, err := r.Cookie(CookieName); err == nil {
		_ = s.acc.EndSession(r.Context(), c.Value)
	}
	id, err := s.acc.CreateSession(r.Context(), u.Name)
	if err != nil {
		s.fail(w, r, "login", page{Title: i18n.M("title.login"), Data: data}, err)
		return
	}
	s.recordLogin(r, u.Name, true, "")
	s.setCookie(w, id)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) recordLogin(r *http.Request, name string, ok bool, detail string) {
	action := audit.Login
	if !ok {
		action = audit.LoginFailed
	}
	err := s.audit.Record(r.Context(), audit.Event{Actor: name, Via: "ui", Action: action, OK: ok, Detail: detail, Remote: r.RemoteAddr})
	if err != nil {
		s.log.Error("audit log write failed", "action", action, "err", err)
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		if _, u, err := s.acc.Session(r.Context(), c.Value, s.opts.Sessions); err == nil {
			_ = s.audit.Record(r.Context(), audit.Event{Actor: u.Name, Via: "ui", Action: audit.Logout, OK: true, Remote: r.RemoteAddr})
		}
		_ = s.acc.EndSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
