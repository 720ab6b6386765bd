package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
)

// loginRequest is what "editor login" sends: the same two factors as the login page.
type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Code     string `json:"code"`
}

// login exchanges name, password and a TOTP code for a login token that acts as the
// member until it expires: the command line's way to an identity the editor checked.
// Failures count, and wait, exactly as on the login page.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `send JSON {"name", "password", "code"}`, nil)
		return
	}
	name := strings.TrimSpace(strings.ToLower(req.Name))
	u, err := s.acc.Authenticate(r.Context(), name, req.Password, strings.TrimSpace(req.Code), r.RemoteAddr)
	if err != nil {
		if !errors.Is(err, accounts.ErrBadLogin) {
			s.fail(w, err)
			return
		}
		// One answer for an unknown name, a wrong factor and an attempt that came too
		// soon, as on the login page.
		s.recordLogin(r, s.knownName(r, name), false, err.Error())
		writeError(w, http.StatusUnauthorized, "bad_login", "the name, password or code is not right (each code works once; after several failures in a row, each new try must wait longer: wait a little, or ask an administrator)", nil)
		return
	}
	secret, t, err := s.acc.CreateLoginToken(r.Context(), u, s.loginFor)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.recordLogin(r, u.Name, true, "login token until "+t.Expires.Format(time.RFC3339))
	writeJSON(w, http.StatusCreated, map[string]any{"token": secret, "name": u.Name, "role": u.Role, "expires": t.Expires})
}

// knownName is name when such an account exists: a password typed as the name must not
// end up in the audit log.
func (s *Server) knownName(r *http.Request, name string) string {
	if _, err := s.acc.User(r.Context(), name); err != nil {
		return "(unknown account)"
	}
	return name
}

func (s *Server) recordLogin(r *http.Request, name string, ok bool, detail string) {
	action := audit.Login
	if !ok {
		action = audit.LoginFailed
	}
	if err := s.audit.Record(r.Context(), audit.Event{Actor: name, Via: via(r), Action: action, OK: ok, Detail: detail, Remote: r.RemoteAddr}); err != nil {
		s.log.Error("audit log write failed", "action", action, "err", err)
	}
}

// logout ends the login token it is called with; an automation token is an
// administrator's to revoke, and stays.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	p, _ := r.Context().Value(tokenKey{}).(presented)
	if p.token == nil || p.token.User == "" {
		writeError(w, http.StatusBadRequest, "not_a_login", "this is an automation token, not a login: an administrator revokes it with: editor token revoke NAME", nil)
		return
	}
	if err := s.acc.RevokeTokenSecret(r.Context(), p.secret); err != nil {
		s.fail(w, err)
		return
	}
	if err := s.audit.Record(r.Context(), audit.Event{Actor: a.Name, Via: a.Via, Action: audit.Logout, OK: true, Remote: a.Remote}); err != nil {
		s.log.Error("audit log write failed", "action", audit.Logout, "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}
