package staff_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
)

// secretRE finds the secret as the page shows it, in groups of four (spaces removed by
// secretOf).
var secretRE = regexp.MustCompile(`id="totp-secret"[^>]*>([A-Z2-7 ]+)<`)

func secretOf(m []string) string { return strings.ReplaceAll(m[1], " ", "") }

// A lost phone: an administrator resets the member's second factor; her sessions end,
// and her next login, with the password alone, sets up a new secret shown once.
func TestAdminResetsASecondFactor(t *testing.T) {
	e := newEnv(t)
	ada := e.loggedIn("ada", accounts.Admin)
	pau := e.loggedIn("pau", accounts.Publisher)
	old := e.user("anna", accounts.Writer)
	anna := e.browser()
	if r := anna.login("anna", password, e.code(old)); r.status != http.StatusSeeOther {
		t.Fatalf("anna logs in: %d", r.status)
	}
	if r := pau.post("/admin/users/anna/reset-totp", nil); r.status != http.StatusForbidden {
		t.Errorf("a publisher resets: %d", r.status)
	}
	if r := ada.post("/admin/users/ada/reset-totp", nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "your own second factor") {
		t.Errorf("ada resets her own: %d", r.status)
	}
	if r := ada.post("/admin/users/anna/reset-totp", nil); r.status != http.StatusOK || !strings.Contains(r.body, "second factor reset") || !strings.Contains(r.body, "new second factor due") {
		t.Fatalf("reset: %d", r.status)
	}
	if r := anna.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("anna's session after the reset: %d, want the login page", r.status)
	}
	e.clock.Add(30 * time.Second)
	if r := e.browser().login("anna", password, e.code(old)); !strings.HasPrefix(r.header.Get("Location"), "/setup") {
		t.Errorf("the old secret's code after the reset: %d %s, want the setup step, no session", r.status, r.header.Get("Location"))
	}
	if r := e.browser().login("anna", "wrong password!", ""); r.status != http.StatusUnauthorized {
		t.Errorf("a wrong password with the factor reset: %d", r.status)
	}
	if code, _ := e.apiCall("", "POST", "/api/login", "application/json", `{"name":"anna","password":"`+password+`","code":""}`); code != http.StatusUnauthorized {
		t.Errorf("API login while the setup is due: %d", code)
	}
	r := anna.login("anna", password, "")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/setup") {
		t.Fatalf("login with the password alone: %d %s", r.status, r.header.Get("Location"))
	}
	if r := anna.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("the setup session opens the list: %d", r.status)
	}
	r = anna.get("/setup?next=%2F")
	m := secretRE.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil || !strings.Contains(r.body, "<svg") {
		t.Fatalf("setup page: %d\n%s", r.status, r.body)
	}
	secret := secretOf(m)
	if r := anna.post("/setup/totp", url.Values{"code": {"000000"}, "next": {"/"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "code is not right") || strings.Contains(r.body, secret) {
		t.Errorf("a wrong code: %d (the secret must not be shown again)", r.status)
	}
	if r := anna.post("/setup/totp", url.Values{"code": {e.code(secret)}, "next": {"/"}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("the new code: %d %s", r.status, r.body)
	}
	if r := anna.get("/"); r.status != http.StatusOK {
		t.Errorf("anna after the setup: %d", r.status)
	}
	e.clock.Add(30 * time.Second)
	if r := e.browser().login("anna", password, e.code(secret)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Errorf("a login with the new secret: %d %s", r.status, r.header.Get("Location"))
	}
	if got := e.audited(audit.UserTOTPReset); len(got) != 2 || got[0].Actor != "ada" || got[0].Target != "anna" || !got[0].OK || got[1].OK {
		t.Errorf("audit user_totp_reset: %+v", got)
	}
	if got := e.audited(audit.TOTPSetup); len(got) != 2 || !got[0].OK || got[1].OK || got[0].Actor != "anna" {
		t.Errorf("audit totp_setup: %+v", got)
	}
	if got := e.audited(audit.LoginSetup); len(got) != 2 || got[0].Detail != "totp" {
		t.Errorf("audit login_setup: %+v", got)
	}
}

// A forced password change: the next login, with both factors, must choose a new
// password, with the rule said up front, before it is a login.
func TestAdminForcesAPasswordChange(t *testing.T) {
	e := newEnv(t)
	ada := e.loggedIn("ada", accounts.Admin)
	secret := e.user("bea", accounts.Publisher)
	if r := ada.post("/admin/users/nobody/force-password", nil); r.status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown account: %d", r.status)
	}
	if r := ada.post("/admin/users/bea/force-password", nil); r.status != http.StatusOK || !strings.Contains(r.body, "must choose a new password") {
		t.Fatalf("force: %d", r.status)
	}
	bea := e.browser()
	r := bea.login("bea", password, e.code(secret))
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/setup") {
		t.Fatalf("login: %d %s", r.status, r.header.Get("Location"))
	}
	if r := bea.get("/setup"); r.status != http.StatusOK || !strings.Contains(r.body, "At least 12 characters") {
		t.Errorf("the rule up front: %d\n%s", r.status, r.body)
	}
	const fresh = "a longer passphrase now"
	for _, tc := range []struct{ pw, again, want string }{
		{"short", "short", "at least 12 characters"},
		{fresh, fresh + "!", "two passwords differ"},
		{password, password, "must differ from the old one"},
	} {
		if r := bea.post("/setup/password", url.Values{"password": {tc.pw}, "again": {tc.again}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) {
			t.Errorf("%q/%q: %d, want %q", tc.pw, tc.again, r.status, tc.want)
		}
	}
	if r := bea.post("/setup/password", url.Values{"password": {fresh}, "again": {fresh}, "next": {"/audit"}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/audit" {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if r := bea.get("/audit"); r.status != http.StatusOK {
		t.Errorf("bea after the change: %d", r.status)
	}
	e.clock.Add(30 * time.Second)
	if r := e.browser().login("bea", password, e.code(secret)); r.status != http.StatusUnauthorized {
		t.Errorf("the old password: %d", r.status)
	}
	e.clock.Add(30 * time.Second)
	if r := e.browser().login("bea", fresh, e.code(secret)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Errorf("the new password: %d %s", r.status, r.header.Get("Location"))
	}
	if got := e.audited(audit.UserPasswordForce); len(got) != 2 || got[0].Target != "bea" || !got[0].OK || got[1].OK {
		t.Errorf("audit user_password_force: %+v", got)
	}
	if got := e.audited(audit.PasswordChange); len(got) != 4 || !got[0].OK || strings.Contains(got[1].Detail, fresh) {
		t.Errorf("audit password_change: %+v", got)
	}
}
