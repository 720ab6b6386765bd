package cli_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestUserAddPrintsTheQRCodeAndTokenCreatePrintsTheTokenOnce(t *testing.T) {
	w := newWorld(t)
	r := w.editor(password+"\n", "user", "add", "Anna", "--role", "publisher")
	if r.err != nil {
		t.Fatalf("user add: %v %s", r.err, r.errOut)
	}
	if !strings.Contains(r.out, "anna added as publisher") || !strings.Contains(r.out, "otpauth://totp/") || !strings.Contains(r.out, "█") {
		t.Errorf("user add output:\n%s", r.out)
	}
	u, _ := url.Parse(r.out[strings.Index(r.out, "otpauth://"):strings.LastIndex(r.out, "\n")])
	if u.Query().Get("secret") == "" || u.Query().Get("issuer") == "" {
		t.Errorf("provisioning URI: %s", u)
	}
	if r := w.editor(password+"\n", "user", "add", "anna"); r.err == nil || !strings.Contains(r.err.Error(), "already exists") {
		t.Errorf("second add: %v", r.err)
	}
	for _, tc := range []struct{ stdin, role, want string }{
		{"short\n", "writer", "at least 12 characters"},
		{"", "writer", "give the first password"},
		{password + "\n", "boss", `unknown role "boss"`},
	} {
		if r := w.editor(tc.stdin, "user", "add", "bea", "--role", tc.role); r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("user add with %q/%s: %v", tc.stdin, tc.role, r.err)
		}
	}
	if r := w.editor("", "user", "list"); !strings.Contains(r.out, "anna  publisher") {
		t.Errorf("user list:\n%s", r.out)
	}
	r = w.editor("", "token", "create", "importer", "--owner", "anna")
	token := strings.TrimSpace(r.out)
	if r.err != nil || !strings.HasPrefix(token, "pgt_") || !strings.Contains(r.errOut, "shown only now") {
		t.Fatalf("token create: %v %q %q", r.err, r.out, r.errOut)
	}
	if r := w.editor("", "token", "list"); !strings.Contains(r.out, "importer  anna   publish") || !strings.Contains(r.out, "token:importer") || strings.Contains(r.out, token) {
		t.Errorf("token list:\n%s", r.out)
	}
	if r := w.editor("", "token", "revoke", "importer"); r.err != nil {
		t.Errorf("revoke: %v", r.err)
	}
	if r := w.editor("", "token", "revoke", "importer"); r.err == nil || !strings.Contains(r.err.Error(), "no such token") {
		t.Errorf("second revoke: %v", r.err)
	}
	// The account changes are in the audit log in the name of the bus key, the only
	// identity these commands have: the OS user is no proof of anyone.
	got := w.audited()
	if len(got) < 5 || got[1] != "token_revoke:importer:(bus key):cli" || !strings.Contains(strings.Join(got, " "), "user_add:anna:(bus key):cli") {
		t.Errorf("audit: %v", got)
	}
}

func TestUserUnlockRoleChangeAndResetsOnTheBusAreAudited(t *testing.T) {
	w := newWorld(t)
	if r := w.editor(password+"\n", "user", "add", "bea", "--role", "writer"); r.err != nil {
		t.Fatalf("user add: %v", r.err)
	}
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
	if r := w.editor("", "user", "list"); !strings.Contains(r.out, "bea   publisher") {
		t.Errorf("user list:\n%s", r.out)
	}
	got := strings.Join(w.audited(), " ")
	for _, want := range []string{"user_unlock:bea:(bus key):cli", "user_role:bea:(bus key):cli", "user_unlock:nobody:(bus key):cli",
		"user_totp_reset:bea:(bus key):cli", "user_password_force:bea:(bus key):cli", "user_totp_reset:nobody:(bus key):cli"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit lacks %s: %s", want, got)
		}
	}
}
