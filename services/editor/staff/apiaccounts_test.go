package staff_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
)

// apiLogin logs name in through the API, as "editor login" does, and returns the token.
func (e *env) apiLogin(name, secret string) string {
	e.t.Helper()
	st, body := e.apiCall("", "POST", "/api/login", "application/json",
		fmt.Sprintf(`{"name": %q, "password": %q, "code": %q}`, name, password, e.code(secret)))
	if st != http.StatusCreated {
		e.t.Fatalf("login %s: %d %v", name, st, body)
	}
	return body["token"].(string)
}

func jsonOf(v map[string]any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// Every account and token command of the command line is an API request an
// administrator's login token may make: each works, answers in words, and is in the
// audit log in her name — with no bus key, only HTTP.
func TestAccountsAndTokensThroughTheAPIAsAnAdministrator(t *testing.T) {
	e := newEnv(t)
	tok := e.apiLogin("ada", e.user("ada", accounts.Admin))
	e.user("bea", accounts.Writer)
	steps := []struct {
		name, method, path, body string
		status                   int
		want, notWant            string
		action, target           string // the audit event it leaves, "" for none
		ok                       bool
	}{
		{"list", "GET", "/api/users", "", 200, `"name": "bea"`, "password_hash", "", "", true},
		{"add", "POST", "/api/users", `{"name": "Cesc", "role": "writer", "password": "` + password + `"}`, 201, "otpauth://totp/", "", audit.UserAdd, "cesc", true},
		{"add_short_password", "POST", "/api/users", `{"name": "dani", "role": "writer", "password": "short"}`, 422, "at least", "short", audit.UserAdd, "dani", false},
		{"add_bad_role", "POST", "/api/users", `{"name": "dani", "role": "boss", "password": "` + password + `"}`, 422, "boss", "", audit.UserAdd, "dani", false},
		{"unlock", "POST", "/api/users/bea/unlock", "", 200, `"unlocked": true`, "", audit.UserUnlock, "bea", true},
		{"role", "POST", "/api/users/bea/role", `{"role": "publisher"}`, 200, `"was": "writer"`, "", audit.UserRole, "bea", true},
		{"role_unknown", "POST", "/api/users/bea/role", `{"role": "boss"}`, 422, `role: unknown role \"boss\"`, "", "", "", false},
		{"role_self", "POST", "/api/users/ada/role", `{"role": "writer"}`, 422, "you cannot change your own role", "", audit.UserRole, "ada", false},
		{"reset_totp", "POST", "/api/users/bea/reset-totp", "", 200, `"totp_reset": true`, "", audit.UserTOTPReset, "bea", true},
		{"force_password", "POST", "/api/users/bea/force-password", "", 200, `"password_change_forced": true`, "", audit.UserPasswordForce, "bea", true},
		{"unlock_unknown", "POST", "/api/users/nobody/unlock", "", 404, "no such account: nobody", "", audit.UserUnlock, "nobody", false},
		{"token_create", "POST", "/api/tokens", `{"name": "importer", "owner": "bea", "scope": "publish", "expires": "30d"}`, 201, `"token": "pgt_`, "", audit.TokenCreate, "importer", true},
		{"token_create_bad_expiry", "POST", "/api/tokens", `{"name": "x", "owner": "bea", "expires": "soon"}`, 422, `expires: \"soon\"`, "", "", "", false},
		{"token_create_unknown_field", "POST", "/api/tokens", `{"name": "x", "role": "admin"}`, 422, `unknown field \"role\"`, "", "", "", false},
		{"token_list", "GET", "/api/tokens", "", 200, `"acts_as": "token:importer"`, "pgt_", "", "", true},
		{"token_revoke", "DELETE", "/api/tokens/importer", "", 200, `"revoked": true`, "", audit.TokenRevoke, "importer", true},
		{"token_revoke_again", "DELETE", "/api/tokens/importer", "", 404, "no such token: importer", "", audit.TokenRevoke, "importer", false},
		{"remove", "DELETE", "/api/users/cesc", "", 200, `"removed": true`, "", audit.UserRemove, "cesc", true},
		{"remove_self", "DELETE", "/api/users/ada", "", 422, "you cannot remove your own account", "", audit.UserRemove, "ada", false},
		{"rotate_key", "POST", "/api/keys/rotate", "", 200, `"sealed": 1`, "", audit.KeyRotate, e.cfg.SecretKeyFile, true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			ct := ""
			if s.body != "" {
				ct = "application/json"
			}
			st, body := e.apiCall(tok, s.method, s.path, ct, s.body)
			text := jsonOf(body)
			if st != s.status || !strings.Contains(text, strings.ReplaceAll(s.want, `": `, `":`)) || (s.notWant != "" && strings.Contains(text, s.notWant)) {
				t.Errorf("%s %s: %d %s; want %d with %q", s.method, s.path, st, text, s.status, s.want)
			}
			if s.action == "" {
				return
			}
			got := e.audited(s.action)
			if len(got) == 0 || got[0].Actor != "ada" || got[0].Via != "api" || got[0].Target != s.target || got[0].OK != s.ok {
				t.Errorf("audit %s: %+v; want ada via api on %s, ok %v", s.action, got, s.target, s.ok)
			}
		})
	}
	// The rotation kept every account usable: bea was reset, ada logs in again.
	if st, body := e.apiCall(tok, "GET", "/api/users", "", ""); st != 200 || !strings.Contains(jsonOf(body), `"role":"publisher"`) {
		t.Errorf("after the steps: %d %v", st, body)
	}
}

// A publisher's or a writer's login, and a token of scope publish (even an
// administrator's), may not manage accounts: 403 in words, a "denied" event, and
// nothing changed.
func TestAccountsThroughTheAPINeedTheAdminRole(t *testing.T) {
	e := newEnv(t)
	e.user("ada", accounts.Admin)
	e.user("bea", accounts.Writer)
	pub := e.apiLogin("pau", e.user("pau", accounts.Publisher))
	wri := e.apiLogin("wil", e.user("wil", accounts.Writer))
	adaPublish, _, err := e.svc.Accounts.CreateToken(t.Context(), accounts.NewToken{Name: "ada-script", Scope: accounts.ScopePublish, Owner: "ada", By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct{ method, path, body string }{
		{"GET", "/api/users", ""},
		{"POST", "/api/users", `{"name": "eve", "role": "admin", "password": "` + password + `"}`},
		{"DELETE", "/api/users/bea", ""},
		{"POST", "/api/users/bea/unlock", ""},
		{"POST", "/api/users/bea/role", `{"role": "admin"}`},
		{"POST", "/api/users/bea/reset-totp", ""},
		{"POST", "/api/users/bea/force-password", ""},
		{"GET", "/api/tokens", ""},
		{"POST", "/api/tokens", `{"name": "mine", "owner": "ada", "scope": "admin"}`},
		{"DELETE", "/api/tokens/ada-script", ""},
		{"POST", "/api/keys/rotate", ""},
	}
	for who, tok := range map[string]string{"publisher": pub, "writer": wri, "publish-scope token": adaPublish} {
		for _, c := range calls {
			before := len(e.audited(audit.Denied))
			ct := ""
			if c.body != "" {
				ct = "application/json"
			}
			st, body := e.apiCall(tok, c.method, c.path, ct, c.body)
			if msg := jsonOf(body); st != http.StatusForbidden || !strings.Contains(msg, "that needs the admin role") {
				t.Errorf("%s: %s %s: %d %s; want 403 in words", who, c.method, c.path, st, msg)
			}
			if after := len(e.audited(audit.Denied)); after != before+1 {
				t.Errorf("%s: %s %s: %d denied events, want %d", who, c.method, c.path, after, before+1)
			}
		}
	}
	users, _ := e.svc.Accounts.Users(t.Context())
	toks, _ := e.svc.Accounts.Tokens(t.Context())
	var names []string
	for _, u := range users {
		names = append(names, u.Name+":"+string(u.Role))
	}
	if got := strings.Join(names, " "); got != "ada:admin bea:writer pau:publisher wil:writer" {
		t.Errorf("accounts after the refusals: %s", got)
	}
	if n := len(toks); n != 3 { // the two login tokens and ada-script
		t.Errorf("%d tokens after the refusals, want 3", n)
	}
}
