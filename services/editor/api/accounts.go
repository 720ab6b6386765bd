package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
)

// The account and token endpoints are the web UI's Accounts page for the command line
// and scripts: the same desk.Members code checks the administrator's role, refuses the
// same self-harm and writes the same audit events, so "editor user|token|keys" need a
// login (or admin-scope) token and nothing of the editor's own.

// userView is an account as the API shows it: never its password hash or TOTP secret.
type userView struct {
	Name      string        `json:"name"`
	Role      accounts.Role `json:"role"`
	Created   time.Time     `json:"created"`
	CreatedBy string        `json:"created_by,omitempty"`
	Failures  int           `json:"failures"`
	NotBefore time.Time     `json:"not_before,omitzero"`
}

// admin is the request's actor with the account behind it: a login token's member or
// an automation token's owner.
func admin(r *http.Request, a desk.Actor) desk.Admin {
	ad := desk.Admin{Actor: a}
	if p, ok := r.Context().Value(tokenKey{}).(presented); ok && p.token != nil {
		ad.Account = cmp.Or(p.token.User, p.token.Owner)
	}
	return ad
}

// accountName reads the route's {name}, refusing one that is no account name before
// it reaches the buckets or the audit log.
func accountName(h func(w http.ResponseWriter, r *http.Request, a desk.Actor, name string)) handler {
	return func(w http.ResponseWriter, r *http.Request, a desk.Actor) {
		name := r.PathValue("name")
		if err := accounts.CheckName(name); err != nil {
			msg := err.Error()
			var rule *accounts.RuleError
			if errors.As(err, &rule) {
				msg = ruleWords(w, rule)
			}
			writeError(w, http.StatusBadRequest, "bad_name", msg, nil)
			return
		}
		h(w, r, a, accounts.NormalizeName(name))
	}
}

// decode reads a small JSON body into v, naming what is wrong.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 64<<10))
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &desk.InvalidError{Problems: []desk.Problem{{Message: "the JSON does not parse: " + err.Error()}}}
	}
	return nil
}

// failAccount answers an account operation's error: a refusal of the accounts rules
// (accounts.RuleError: name, password, role, scope, owner, lifetime) or of self-harm
// is a 422 in words — the caller's language when it asked for one — and a missing
// account or token a 404. Anything else is no rule of the caller's to fix: the API's
// server-error path logs it and answers 500 (503 for a timeout) without its internals.
func (s *Server) failAccount(w http.ResponseWriter, err error, what string) {
	var (
		forb *desk.ForbiddenError
		inv  *desk.InvalidError
		self *desk.SelfError
		rule *accounts.RuleError
		mbe  *http.MaxBytesError
	)
	switch {
	case errors.As(err, &forb), errors.As(err, &inv), errors.As(err, &mbe):
		s.fail(w, err)
	case errors.As(err, &rule):
		writeError(w, http.StatusUnprocessableEntity, "invalid", ruleWords(w, rule), nil)
	case errors.Is(err, accounts.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", s.said(w, "no such "+what, i18n.M("rule.notFound")), nil)
	case errors.As(err, &self):
		writeError(w, http.StatusUnprocessableEntity, "self", s.said(w, self.Error(), i18n.M(self.Key)), nil)
	default:
		s.fail(w, err)
	}
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	users, err := s.members.Users(r.Context(), admin(r, a))
	if err != nil {
		s.failAccount(w, err, "account")
		return
	}
	out := []userView{}
	for _, u := range users {
		out = append(out, userView{u.Name, u.Role, u.Created, u.CreatedBy, u.Failures, u.NotBefore})
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

type addUserRequest struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	var req addUserRequest
	if err := decode(r, &req); err != nil {
		s.failAccount(w, err, "account")
		return
	}
	name := accounts.NormalizeName(strings.TrimSpace(req.Name))
	na, err := s.members.Add(r.Context(), admin(r, a), name, accounts.Role(req.Role), req.Password)
	if err != nil {
		s.failAccount(w, err, "account")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"name": na.User.Name, "role": na.User.Role, "totp_uri": na.URI})
}

func (s *Server) removeUser(w http.ResponseWriter, r *http.Request, a desk.Actor, name string) {
	if err := s.members.Remove(r.Context(), admin(r, a), name); err != nil {
		s.failAccount(w, err, "account: "+name)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "removed": true})
}

func (s *Server) unlockUser(w http.ResponseWriter, r *http.Request, a desk.Actor, name string) {
	if err := s.members.Unlock(r.Context(), admin(r, a), name); err != nil {
		s.failAccount(w, err, "account: "+name)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "unlocked": true})
}

func (s *Server) setRole(w http.ResponseWriter, r *http.Request, a desk.Actor, name string) {
	var req struct {
		Role string `json:"role"`
	}
	if err := decode(r, &req); err != nil {
		s.failAccount(w, err, "account")
		return
	}
	role, err := accounts.ParseRole(req.Role)
	var rule *accounts.RuleError
	if errors.As(err, &rule) {
		writeError(w, http.StatusUnprocessableEntity, "invalid", say(w, "role: "+rule.Text, i18n.Raw(ruleWords(w, rule))), nil)
		return
	}
	if err != nil {
		s.failAccount(w, err, "role")
		return
	}
	was, err := s.members.SetRole(r.Context(), admin(r, a), name, role)
	if err != nil {
		s.failAccount(w, err, "account: "+name)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "role": role, "was": was})
}

func (s *Server) resetTOTP(w http.ResponseWriter, r *http.Request, a desk.Actor, name string) {
	if err := s.members.ResetTOTP(r.Context(), admin(r, a), name); err != nil {
		s.failAccount(w, err, "account: "+name)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "totp_reset": true})
}

func (s *Server) forcePassword(w http.ResponseWriter, r *http.Request, a desk.Actor, name string) {
	if err := s.members.ForcePassword(r.Context(), admin(r, a), name); err != nil {
		s.failAccount(w, err, "account: "+name)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "password_change_forced": true})
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	toks, err := s.members.Tokens(r.Context(), admin(r, a))
	if err != nil {
		s.failAccount(w, err, "token")
		return
	}
	type view struct {
		*accounts.Token
		ActsAs string `json:"acts_as"`
	}
	out := []view{}
	for _, t := range toks {
		out = append(out, view{t, t.Actor()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

type createTokenRequest struct {
	Name  string `json:"name"`
	Owner string `json:"owner"`
	Scope string `json:"scope"`
	// Expires is a lifetime: days ("90d") or a Go duration ("36h"); empty is the default.
	Expires string `json:"expires"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	var req createTokenRequest
	if err := decode(r, &req); err != nil {
		s.failAccount(w, err, "token")
		return
	}
	ad := admin(r, a)
	nt := accounts.NewToken{Name: accounts.NormalizeName(strings.TrimSpace(req.Name)), Owner: accounts.NormalizeName(cmp.Or(req.Owner, ad.Account)),
		Scope: accounts.Scope(cmp.Or(req.Scope, string(accounts.ScopePublish)))}
	ttl, err := ParseLifetime(req.Expires)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "invalid", say(w, "expires: "+err.Error(), i18n.M("rule.lifetime", req.Expires)), nil)
		return
	}
	nt.TTL = ttl
	secret, t, err := s.members.CreateToken(r.Context(), ad, nt)
	if err != nil {
		s.failAccount(w, err, "account: "+nt.Owner)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": secret, "name": t.Name, "owner": t.Owner, "scope": t.Scope, "expires": t.Expires})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, a desk.Actor, name string) {
	if err := s.members.RevokeToken(r.Context(), admin(r, a), name); err != nil {
		s.failAccount(w, err, "token: "+name)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "revoked": true})
}

func (s *Server) rotateKey(w http.ResponseWriter, r *http.Request, a desk.Actor) {
	rot, err := s.members.RotateKey(r.Context(), admin(r, a))
	if err != nil {
		s.failAccount(w, err, "key")
		return
	}
	writeJSON(w, http.StatusOK, rot)
}

// ParseLifetime reads a token's lifetime: days ("90d") or a Go duration ("36h"); ""
// is the default. The accounts rules bound it.
func ParseLifetime(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("%q: not a number of days (want e.g. 90d or 36h)", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q: not a lifetime (want e.g. 90d or 36h)", v)
	}
	return d, nil
}
