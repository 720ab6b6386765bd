package ui

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/i18n"
)

// setupData is the step between a login's right factors and its session, when an
// administrator reset the second factor or asked for a new password.
type setupData struct {
	Name, Next string
	Need       accounts.Need
	// Secret, URI and QR are the new second factor: shown this once.
	Secret, URI string
	QR          template.HTML
	// MinPassword is the password rule, said before the member types.
	MinPassword int
}

// beginSetup answers a login that must set something up first: a pending session,
// which opens /setup and nothing else.
func (s *Server) beginSetup(w http.ResponseWriter, r *http.Request, setup *accounts.SetupError, next string) {
	if c, err := r.Cookie(CookieName); err == nil {
		_ = s.acc.EndSession(r.Context(), c.Value)
	}
	id, err := s.acc.CreatePendingSession(r.Context(), setup.User.Name, setup.Need)
	if err != nil {
		s.fail(w, r, "login", page{Title: i18n.M("title.login")}, err)
		return
	}
	s.recordAccount(r, setup.User.Name, audit.LoginSetup, "", string(setup.Need), nil)
	s.setCookie(w, id)
	http.Redirect(w, r, "/setup?next="+url.QueryEscape(next), http.StatusSeeOther)
}

// pending returns the pending session's account and its cookie's id, or sends the
// browser to the login page.
func (s *Server) pending(w http.ResponseWriter, r *http.Request) (*accounts.User, *accounts.Session, string, bool) {
	if c, err := r.Cookie(CookieName); err == nil {
		ses, u, err := s.acc.PendingSession(r.Context(), c.Value, s.opts.Sessions)
		if err == nil {
			return u, ses, c.Value, true
		}
		if !errors.Is(err, accounts.ErrNoSession) {
			s.fail(w, r, "login", page{Title: i18n.M("title.login")}, err)
			return nil, nil, "", false
		}
	}
	s.render(w, r, http.StatusUnauthorized, "login", page{Title: i18n.M("title.login"), Error: i18n.M("login.ended"),
		Data: loginData{Next: "/"}})
	return nil, nil, "", false
}

// setupPage shows the step the pending login needs. A new second factor is made at
// each visit: a secret is shown once, and one shown and lost is replaced.
func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) {
	u, ses, _, ok := s.pending(w, r)
	if !ok {
		return
	}
	d := setupData{Name: u.Name, Need: ses.Pending, Next: safeNext(r.URL.Query().Get("next")), MinPassword: s.acc.MinPassword()}
	if ses.Pending == accounts.NeedTOTP {
		na, err := s.acc.BeginTOTP(r.Context(), u.Name)
		if err != nil {
			s.fail(w, r, "setup", page{Title: i18n.M("title.setup")}, err)
			return
		}
		d.URI, d.QR = na.URI, qrSVG(na.URI)
		if pu, err := url.Parse(na.URI); err == nil {
			d.Secret = groupSecret(pu.Query().Get("secret"))
		}
	}
	s.render(w, r, http.StatusOK, "setup", page{Title: i18n.M("title.setup"), Data: d})
}

// setupTOTP checks a code of the new secret: the member has it in her app.
func (s *Server) setupTOTP(w http.ResponseWriter, r *http.Request) {
	u, ses, id, ok := s.pending(w, r)
	if !ok {
		return
	}
	next := safeNext(r.PostFormValue("next"))
	d := setupData{Name: u.Name, Need: ses.Pending, Next: next, MinPassword: s.acc.MinPassword()}
	if ses.Pending != accounts.NeedTOTP {
		http.Redirect(w, r, "/setup?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	u, err := s.acc.ConfirmTOTP(r.Context(), u.Name, strings.TrimSpace(r.PostFormValue("code")))
	s.recordAccount(r, d.Name, audit.TOTPSetup, d.Name, "", err)
	if err != nil {
		// The QR code is not shown again: it was shown once. The page links to a new one.
		msg := i18n.M("setup.badCode")
		if !errors.Is(err, accounts.ErrBadCode) {
			msg = s.problem("error.notDone", err)
		}
		s.render(w, r, http.StatusUnprocessableEntity, "setup", page{Title: i18n.M("title.setup"), Error: msg, Data: d})
		return
	}
	s.finishSetup(w, r, u, id, next)
}

// setupPassword sets the new password the administrator asked for.
func (s *Server) setupPassword(w http.ResponseWriter, r *http.Request) {
	u, ses, id, ok := s.pending(w, r)
	if !ok {
		return
	}
	next := safeNext(r.PostFormValue("next"))
	d := setupData{Name: u.Name, Need: ses.Pending, Next: next, MinPassword: s.acc.MinPassword()}
	if ses.Pending != accounts.NeedPassword {
		http.Redirect(w, r, "/setup?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	pw := r.PostFormValue("password")
	var err error
	if pw != r.PostFormValue("again") {
		err = errSelf{"setup.mismatch", "the two passwords differ"}
	} else {
		u, err = s.acc.ChangePassword(r.Context(), d.Name, pw)
	}
	s.recordAccount(r, d.Name, audit.PasswordChange, d.Name, "", err)
	if err != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "setup", page{Title: i18n.M("title.setup"), Error: s.problem("setup.notChanged", err), Data: d})
		return
	}
	s.finishSetup(w, r, u, id, next)
}

// finishSetup ends the pending session and starts what comes next: the other setup
// step if one is still due, else the login itself, with a new session id either way.
func (s *Server) finishSetup(w http.ResponseWriter, r *http.Request, u *accounts.User, pendingID, next string) {
	_ = s.acc.EndSession(r.Context(), pendingID)
	if u.MustChangePassword {
		s.beginSetup(w, r, &accounts.SetupError{User: u, Need: accounts.NeedPassword}, next)
		return
	}
	id, err := s.acc.CreateSession(r.Context(), u.Name)
	if err != nil {
		s.fail(w, r, "login", page{Title: i18n.M("title.login")}, err)
		return
	}
	s.recordLogin(r, u.Name, true, "after setup")
	s.setCookie(w, id)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) setCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: id, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.opts.Sessions.Max.Seconds())})
}

// recordAccount records an account event by actor; err, if any, is its detail.
func (s *Server) recordAccount(r *http.Request, actor, action, target, detail string, err error) {
	e := audit.Event{Actor: actor, Via: "ui", Action: action, Target: target, OK: err == nil, Detail: detail, Remote: r.RemoteAddr}
	if err != nil {
		e.Detail = err.Error()
	}
	if aerr := s.audit.Record(r.Context(), e); aerr != nil {
		s.log.Error("audit log write failed", "action", action, "err", aerr)
	}
}
