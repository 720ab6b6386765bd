package staff_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
)

// An administrator lets a member kept waiting by someone's guesses in at once, and
// changes roles, which apply from the next request; both audited, admins only.
func TestAdminUnlocksAnAccountAndChangesRoles(t *testing.T) {
	e := newEnv(t)
	ada := e.loggedIn("ada", accounts.Admin)
	pau := e.loggedIn("pau", accounts.Publisher)
	anna := e.user("anna", accounts.Writer)
	for i := range e.cfg.FreeFailures + 3 {
		e.browser().loginFrom(fmt.Sprintf("198.51.100.%d:1", i+1), "anna", "wrong password!", "000000")
	}
	if r := e.browser().loginFrom("192.0.2.1:1", "anna", password, e.code(anna)); r.status != http.StatusUnauthorized {
		t.Fatalf("anna's right login while her account waits: %d", r.status)
	}
	if r := pau.post("/admin/users/anna/unlock", nil); r.status != http.StatusForbidden {
		t.Errorf("a publisher unlocks: %d", r.status)
	}
	if r := ada.get("/admin"); !strings.Contains(r.body, `action="/admin/users/anna/unlock"`) || !strings.Contains(r.body, `action="/admin/users/anna/role"`) {
		t.Errorf("the accounts page has no unlock or role form for anna")
	}
	if r := ada.post("/admin/users/anna/unlock", nil); r.status != http.StatusOK || !strings.Contains(r.body, "failed logins forgotten") {
		t.Fatalf("unlock: %d", r.status)
	}
	if r := e.browser().loginFrom("192.0.2.1:1", "anna", password, e.code(anna)); r.status != http.StatusSeeOther {
		t.Errorf("anna's right login after the unlock: %d", r.status)
	}

	if r := pau.get("/audit"); r.status != http.StatusOK {
		t.Fatalf("publisher reads the audit log: %d", r.status)
	}
	if r := ada.post("/admin/users/pau/role", url.Values{"role": {"writer"}}); r.status != http.StatusOK || !strings.Contains(r.body, "pau is now writer") {
		t.Fatalf("role change: %d", r.status)
	}
	if r := pau.get("/audit"); r.status != http.StatusForbidden {
		t.Errorf("a demoted publisher reads the audit log: %d, want 403", r.status)
	}
	for _, tc := range []struct{ path, role string }{{"/admin/users/ada/role", "writer"}, {"/admin/users/anna/role", "boss"}, {"/admin/users/nobody/role", "writer"}} {
		if r := ada.post(tc.path, url.Values{"role": {tc.role}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("POST %s role %s: %d, want 422", tc.path, tc.role, r.status)
		}
	}
	if got := e.audited(audit.UserUnlock); len(got) != 1 || got[0].Actor != "ada" || got[0].Target != "anna" || !got[0].OK {
		t.Errorf("audit user_unlock: %+v", got)
	}
	got := e.audited(audit.UserRole)
	if len(got) != 4 || got[3].Target != "pau" || got[3].Detail != "publisher → writer" || !got[3].OK || got[2].OK {
		t.Errorf("audit user_role: %+v", got)
	}
}
