package cli_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// user add asks the editor, on the bus, for the first administrator: the editor makes
// the TOTP secret and answers it once, records the request, and refuses once an account
// exists. The token commands go through the API with the administrator's login.
func TestUserAddCreatesOnlyTheFirstAdministratorAndTokenCreatePrintsTheTokenOnce(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct{ stdin, role, want string }{
		{"short\n", "admin", "at least 12 characters"},
		{"", "admin", "give the first password"},
		{password + "\n", "boss", `unknown role "boss"`},
		{password + "\n", "publisher", "only the first administrator"},
	} {
		if r := w.editor(tc.stdin, "user", "add", "bea", "--role", tc.role); r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("user add with %q/%s: %v", tc.stdin, tc.role, r.err)
		}
	}
	r := w.editor(password+"\n", "user", "add", "Anna", "--role", "admin")
	if r.err != nil {
		t.Fatalf("user add: %v %s", r.err, r.errOut)
	}
	if !strings.Contains(r.out, "anna added as admin") || !strings.Contains(r.out, "otpauth://totp/") || !strings.Contains(r.out, "█") {
		t.Errorf("user add output:\n%s", r.out)
	}
	u, _ := url.Parse(r.out[strings.Index(r.out, "otpauth://"):strings.LastIndex(r.out, "\n")])
	if u.Query().Get("secret") == "" || u.Query().Get("issuer") == "" {
		t.Errorf("provisioning URI: %s", u)
	}
	for _, name := range []string{"anna", "bea"} {
		if r := w.editor(password+"\n", "user", "add", name); r.err == nil || !strings.Contains(r.err.Error(), "has accounts already") {
			t.Errorf("user add %s with an account on the editor: %v", name, r.err)
		}
	}
	if r := w.editor("", "user", "list"); r.err == nil || !strings.Contains(r.err.Error(), "log in first") {
		t.Errorf("user list without a login: %v", r.err)
	}
	w.login("anna", u.Query().Get("secret"))
	if r := w.editor("", "user", "list"); !strings.Contains(r.out, "anna  admin") || strings.Contains(r.out, "bea") {
		t.Errorf("user list:\n%s", r.out)
	}
	r = w.editor("", "token", "create", "importer", "--owner", "anna")
	token := strings.TrimSpace(r.out)
	if r.err != nil || !strings.HasPrefix(token, "pgt_") || !strings.Contains(r.errOut, "shown only now") {
		t.Fatalf("token create: %v %q %q", r.err, r.out, r.errOut)
	}
	if r := w.editor("", "token", "list"); !regexp.MustCompile(`(?m)^importer +anna +publish `).MatchString(r.out) || !strings.Contains(r.out, "token:importer") || strings.Contains(r.out, token) {
		t.Errorf("token list:\n%s", r.out)
	}
	if r := w.editor("", "token", "revoke", "importer"); r.err != nil {
		t.Errorf("revoke: %v", r.err)
	}
	if r := w.editor("", "token", "revoke", "importer"); r.err == nil || !strings.Contains(r.err.Error(), "no such token") {
		t.Errorf("second revoke: %v", r.err)
	}
	// The first administrator is in the audit log in the name of the command line's key,
	// the refused ones too; the token changes in the name of the administrator logged
	// in. The OS user is no proof of anyone.
	var adds []string
	for _, e := range w.auditEvents() {
		if e.Action == "user_add" {
			adds = append(adds, fmt.Sprintf("%s:%s:%s:%v", e.Target, e.Actor, e.Via, e.OK))
			if !strings.Contains(e.Detail, "first administrator; OS user ada (not verified)") {
				t.Errorf("user_add detail: %q", e.Detail)
			}
		}
	}
	// Newest first: bea and anna refused, anna added, bea's short password refused.
	if want := "bea:(cli key):cli:false anna:(cli key):cli:false anna:(cli key):cli:true bea:(cli key):cli:false"; strings.Join(adds, " ") != want {
		t.Errorf("user_add events: %v; want %s", adds, want)
	}
	if got := strings.Join(w.audited(), " "); !strings.Contains(got, "token_revoke:importer:anna:cli") {
		t.Errorf("audit lacks token_revoke: %s", got)
	}
}

func TestUserUnlockRoleChangeAndResetsThroughTheAPIAreAudited(t *testing.T) {
	w := newWorld(t)
	w.member("ada", accounts.Admin)
	w.account("bea", accounts.Writer)
	tests := []struct {
		name    string
		args    []string
		wantOut string
		wantErr string
	}{
		{"unlock", []string{"user", "unlock", "bea"}, "bea: failed logins forgotten", ""},
		{"unlock_unknown", []string{"user", "unlock", "nobody"}, "", "no such account"},
		{"role_without_role", []string{"user", "role", "bea"}, "", "say which, e.g. --role publisher"},
		{"role_unknown_role", []string{"user", "role", "bea", "--role", "boss"}, "", `unknown role "boss"`},
		{"role", []string{"user", "role", "bea", "--role", "publisher"}, "bea is now publisher (was writer)", ""},
		{"role_unknown_account", []string{"user", "role", "nobody", "--role", "writer"}, "", "no such account"},
		{"reset_totp", []string{"user", "reset-totp", "bea"}, "bea: second factor reset; their sessions are over", ""},
		{"reset_totp_unknown", []string{"user", "reset-totp", "nobody"}, "", "user reset-totp nobody: no such account"},
		{"force_password", []string{"user", "force-password", "bea"}, "bea: must choose a new password at their next login", ""},
		{"force_password_unknown", []string{"user", "force-password", "nobody"}, "", "user force-password nobody: no such account"},
		{"remove_self", []string{"user", "remove", "ada"}, "", "you cannot remove your own account"},
		{"role_self", []string{"user", "role", "ada", "--role", "writer"}, "", "you cannot change your own role"},
		{"bad_name", []string{"user", "unlock", "ana\x00"}, "", "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.editor("", tt.args...)
			if tt.wantErr != "" {
				if r.err == nil || !strings.Contains(r.err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", r.err, tt.wantErr)
				}
				return
			}
			if r.err != nil || !strings.Contains(r.out, tt.wantOut) {
				t.Errorf("out %q, err %v; want %q", r.out, r.err, tt.wantOut)
			}
		})
	}
	// Logged in, user add is the Accounts page's add, for any role, through the API.
	if r := w.editor(password+"\n", "user", "add", "cesc", "--role", "writer"); r.err != nil || !strings.Contains(r.out, "cesc added as writer") || !strings.Contains(r.out, "otpauth://totp/") {
		t.Errorf("user add as an administrator: %v %q", r.err, r.out)
	}
	if r := w.editor("", "user", "list"); !strings.Contains(r.out, "bea   publisher") || !strings.Contains(r.out, "cesc  writer") {
		t.Errorf("user list:\n%s", r.out)
	}
	got := strings.Join(w.audited(), " ")
	for _, want := range []string{"user_unlock:bea:ada:cli", "user_role:bea:ada:cli", "user_unlock:nobody:ada:cli",
		"user_totp_reset:bea:ada:cli", "user_password_force:bea:ada:cli", "user_totp_reset:nobody:ada:cli", "user_remove:ada:ada:cli",
		"user_add:cesc:ada:cli"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit lacks %s: %s", want, got)
		}
	}
}

// The account commands need an administrator's login, not a bus key: without a token
// they say how to log in, and a publisher's login is refused in the editor's words.
func TestAccountCommandsNeedAnAdministratorsLogin(t *testing.T) {
	w := newWorld(t)
	cmds := [][]string{{"user", "list"}, {"user", "unlock", "anna"}, {"user", "role", "anna", "--role", "writer"},
		{"user", "remove", "anna"}, {"token", "list"}, {"token", "revoke", "x"}, {"token", "create", "x", "--owner", "pau"}, {"keys", "rotate"}}
	for _, args := range cmds {
		if r := w.editor("", args...); r.err == nil || !strings.Contains(r.err.Error(), "log in first") {
			t.Errorf("%v without a login: %v", args, r.err)
		}
	}
	w.member("pau", accounts.Publisher)
	for _, args := range cmds {
		if r := w.editor("", args...); r.err == nil || !strings.Contains(r.err.Error(), "that needs the admin role") {
			t.Errorf("%v as a publisher: %v", args, r.err)
		}
	}
	if r := w.editor(password+"\n", "user", "add", "bea", "--role", "writer"); r.err == nil || !strings.Contains(r.err.Error(), "that needs the admin role") {
		t.Errorf("user add as a publisher: %v", r.err)
	}
}
