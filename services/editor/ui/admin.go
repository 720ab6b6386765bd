package ui

import (
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
)

type adminData struct {
	Users  []*accounts.User
	Tokens []*accounts.Token
	Roles  []accounts.Role
	Scopes []accounts.Scope
	// Me is the administrator looking: the new token's owner unless she picks another.
	Me string
	// TokenDays is the new token form's default lifetime, in days.
	TokenDays int
	// NewToken is a token just created: shown this once.
	NewToken, NewTokenName string
	// NewUser is an account just created, with its QR code to scan this once.
	NewUser          *accounts.User
	NewUserURI       string
	NewUserQR        template.HTML
	FormName         string
	FormRole         string
	FormErrorAtField string
}

// members is account management as the API does it (desk.Members): one code path
// for the role check, the refusals of self-harm and the audit events.
func (s *Server) members() *desk.Members { return desk.NewMembers(s.acc, s.audit, s.log) }

// admin is the member at the Accounts page as desk.Members sees her.
func admin(r *http.Request, u *accounts.User) desk.Admin {
	return desk.Admin{Actor: actor(r, u), Account: u.Name}
}

func (s *Server) requireAdmin(w http.ResponseWriter, r *http.Request, u *accounts.User, action string) bool {
	err := s.members().Allow(r.Context(), admin(r, u), action)
	if err == nil {
		return true
	}
	s.fail(w, r, "message", page{Title: i18n.M("title.accounts"), User: u}, err)
	return false
}

func (s *Server) adminData(r *http.Request) (adminData, error) {
	users, err := s.acc.Users(r.Context())
	if err != nil {
		return adminData{}, err
	}
	tokens, err := s.acc.Tokens(r.Context())
	if err != nil {
		return adminData{}, err
	}
	return adminData{Users: users, Tokens: tokens, Roles: accounts.Roles, Scopes: accounts.Scopes,
		TokenDays: int(accounts.DefaultTokenTTL / (24 * time.Hour))}, nil
}

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	if !s.requireAdmin(w, r, u, "manage accounts") {
		return
	}
	s.showAdmin(w, r, u, http.StatusOK, i18n.Msg{}, i18n.Msg{}, func(*adminData) {})
}

func (s *Server) showAdmin(w http.ResponseWriter, r *http.Request, u *accounts.User, status int, notice, problem i18n.Msg, fill func(*adminData)) {
	pg := page{Title: i18n.M("title.accounts"), User: u, Notice: notice, Error: problem}
	d, err := s.adminData(r)
	if err != nil {
		s.fail(w, r, "message", pg, err)
		return
	}
	d.Me = u.Name
	fill(&d)
	pg.Data = d
	s.render(w, r, status, "admin", pg)
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	if !s.requireAdmin(w, r, u, "add an account") {
		return
	}
	name := strings.TrimSpace(strings.ToLower(r.PostFormValue("name")))
	role := accounts.Role(r.PostFormValue("role"))
	na, err := s.members().Add(r.Context(), admin(r, u), name, role, r.PostFormValue("password"))
	if err != nil {
		s.showAdmin(w, r, u, http.StatusUnprocessableEntity, i18n.Msg{}, s.problem("admin.notAdded", err), func(d *adminData) {
			d.FormName, d.FormRole = name, string(role)
		})
		return
	}
	s.showAdmin(w, r, u, http.StatusOK, i18n.M("admin.added", name), i18n.Msg{},
		func(d *adminData) { d.NewUser, d.NewUserURI, d.NewUserQR = na.User, na.URI, qrSVG(na.URI) })
}

func (s *Server) removeUser(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	if !s.requireAdmin(w, r, u, "remove an account") {
		return
	}
	name := r.PathValue("name")
	err := s.members().Remove(r.Context(), admin(r, u), name)
	if err != nil {
		s.showAdmin(w, r, u, http.StatusUnprocessableEntity, i18n.Msg{}, s.problem("admin.notRemoved", err), func(*adminData) {})
		return
	}
	s.showAdmin(w, r, u, http.StatusOK, i18n.M("admin.removed", name), i18n.Msg{}, func(*adminData) {})
}

func (s *Server) unlockUser(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	if !s.requireAdmin(w, r, u, "unlock an account") {
		return
	}
	name := r.PathValue("name")
	err := s.members().Unlock(r.Context(), admin(r, u), name)
	if err != nil {
		s.showAdmin(w, r, u, http.StatusUnprocessableEntity, i18n.Msg{}, s.problem("admin.notUnlocked", err), func(*adminData) {})
		return
	}
	s.showAdmin(w, r, u, http.StatusOK, i18n.M("admin.unlocked", name), i18n.Msg{}, func(*adminData) {})
}

func (s *Server) setRole(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	if !s.requireAdmin(w, r, u, "change a role") {
		return
	}
	name, role := r.PathValue("name"), accounts.Role(r.PostFormValue("role"))
	_, err := s.members().SetRole(r.Context(), admin(r, u), name, role)
	if err != nil {
		s.showAdmin(w, r, u, http.StatusUnprocessableEntity, i18n.Msg{}, s.problem("admin.roleNotSet", err), func(*adminData) {})
		return
	}
	s.showAdmin(w, r, u, http.StatusOK, i18n.M("admin.roleSet", name, i18n.W("role", string(role))), i18n.Msg{}, func(*adminData) {})
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	if !s.requireAdmin(w, r, u, "create an API token") {
		return
	}
	name := strings.TrimSpace(strings.ToLower(r.PostFormValue("name")))
	nt := accounts.NewToken{Name: name, Scope: accounts.Scope(r.PostFormValue("scope")),
		Owner: cmp.Or(r.PostFormValue("owner"), u.Name)}
	var secret string
	ttl, err := tokenDays(r.PostFormValue("days"))
	if err == nil {
		nt.TTL = ttl
		secret, _, err = s.members().CreateToken(r.Context(), admin(r, u), nt)
	} else {
		s.members().Refused(r.Context(), admin(r, u), audit.TokenCreate, name, err)
	}
	if err != nil {
		s.showAdmin(w, r, u, http.StatusUnprocessableEntity, i18n.Msg{}, s.problem("admin.tokenNotMade", err), func(*adminData) {})
		return
	}
	s.showAdmin(w, r, u, http.StatusOK, i18n.M("admin.tokenMade", name), i18n.Msg{},
		func(d *adminData) { d.NewToken, d.NewTokenName = secret, name })
}

// tokenDays reads the form's lifetime in days; empty means the default.
func tokenDays(v string) (time.Duration, error) {
	if strings.TrimSpace(v) == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 366 {
		return 0, &accounts.RuleError{Key: "rule.tokenDays", Args: []any{v}, Text: fmt.Sprintf("expiry %q: want a whole number of days from 1 to 366", v)}
	}
	return time.Duration(n) * 24 * time.Hour, nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	if !s.requireAdmin(w, r, u, "revoke an API token") {
		return
	}
	name := r.PathValue("name")
	err := s.members().RevokeToken(r.Context(), admin(r, u), name)
	if err != nil {
		s.showAdmin(w, r, u, http.StatusUnprocessableEntity, i18n.Msg{}, s.problem("admin.notRevoked", err), func(*adminData) {})
		return
	}
	s.showAdmin(w, r, u, http.StatusOK, i18n.M("admin.revoked", name), i18n.Msg{}, func(*adminData) {})
}

// qrSVG draws text as a QR code in SVG, for the authenticator app to scan.
func qrSVG(text string) template.HTML {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return ""
	}
	const quiet = 4
	n := c.Size + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="240" height="240" role="img" aria-label="QR code"><rect width="%d" height="%d" fill="#fff"/>`, n, n, n, n)
	for y := range c.Size {
		for x := range c.Size {
			if c.Black(x, y) {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="1" height="1"/>`, x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // made here from numbers only
}

// errSelf is an administrator's try to remove or demote herself: refused, since the
// last administrator could leave nobody to undo it. The audit log keeps text, the
// page shows key in the member's language.
type errSelf struct{ key, text string }

func (e errSelf) Error() string { return e.text }

// problem is the message key with err in words, in the member's language: a refusal
// of the UI's own (errSelf), of the desk (desk.SelfError) or of the accounts rules
// (accounts.RuleError: a name, a password, a role...) in the catalogue's words, a
// missing account or token as such. Anything else is the server's failure: logged,
// and said without its internals, which are English and of no use to staff.
func (s *Server) problem(key string, err error) i18n.Msg {
	var (
		self  errSelf
		dself *desk.SelfError
		rule  *accounts.RuleError
	)
	switch {
	case errors.As(err, &self):
		return i18n.M(key, i18n.M(self.key))
	case errors.As(err, &dself):
		return i18n.M(key, i18n.M(dself.Key))
	case errors.As(err, &rule):
		return i18n.M(key, ruleMsg(rule))
	case errors.Is(err, accounts.ErrNotFound):
		return i18n.M(key, i18n.M("rule.notFound"))
	case errors.Is(err, accounts.ErrHasAccounts):
		return i18n.M("firstrun.gone") // another door made the first administrator meanwhile
	}
	s.log.Error("account operation failed", "err", err)
	return i18n.M(key, i18n.M("rule.server"))
}

// ruleMsg is a refusal of the accounts rules in the catalogue's words, a role or a
// scope among its arguments in the reader's word for it.
func ruleMsg(rule *accounts.RuleError) i18n.Msg {
	args := make([]any, len(rule.Args))
	for i, a := range rule.Args {
		if w, ok := a.(accounts.Word); ok {
			a = i18n.W(w.Kind, w.Value)
		}
		args[i] = a
	}
	return i18n.M(rule.Key, args...)
}
