package staff_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// The Accounts page makes a token with an owner, a scope and an expiry, and lists
// each with its last use; the token acts with its scope, capped by its owner's role,
// and goes with its owner.
func TestTokensHaveAnOwnerAScopeAnExpiryAndALastUse(t *testing.T) {
	e := newEnv(t)
	admin := e.loggedIn("ada", accounts.Admin)
	e.user("pau", accounts.Publisher)
	r := admin.post("/admin/tokens", url.Values{"name": {"scripts"}, "owner": {"pau"}, "scope": {"publish"}, "days": {"30"}})
	i := strings.Index(r.body, `id="new-token">`)
	if r.status != http.StatusOK || i < 0 {
		t.Fatalf("create token: %d", r.status)
	}
	token := r.body[i+len(`id="new-token">`):]
	token = token[:strings.Index(token, "<")]
	for _, tc := range []struct{ name, owner, scope, days, want string }{
		{"writer_owner_for_admin", "pau", "admin", "30", "pau is publisher and cannot own a token of scope admin"},
		{"too_many_days", "pau", "publish", "400", "want a whole number of days from 1 to 366"},
	} {
		r := admin.post("/admin/tokens", url.Values{"name": {tc.name}, "owner": {tc.owner}, "scope": {tc.scope}, "days": {tc.days}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) {
			t.Errorf("%s: %d, want %q", tc.name, r.status, tc.want)
		}
	}
	e.clock.Add(10 * time.Minute) // within the session's idle time
	if st, body := e.apiCall(token, "POST", "/api/bulletins", "text/markdown", avis); st != http.StatusCreated {
		t.Fatalf("publish with the token: %d %v", st, body)
	}
	page := admin.get("/admin").body
	row := page[strings.Index(page, "<td>scripts</td>"):]
	row = row[:strings.Index(row, "</tr>")]
	for _, want := range []string{"<td>pau</td>", "<td>publish</td>", "<td>13/04/2020 ", "<td>14/03/2020 10:10</td>"} { // expiry; last use, Madrid time
		if !strings.Contains(row, want) {
			t.Errorf("token row lacks %q:\n%s", want, row)
		}
	}
	if _, err := e.svc.Accounts.SetRole(t.Context(), "pau", accounts.Writer); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.apiCall(token, "POST", "/api/bulletins/avis/retract", "", ""); st != http.StatusForbidden {
		t.Errorf("a token of a demoted owner retracts: %d, want 403", st)
	}
	if r := admin.post("/admin/users/pau/remove", nil); r.status != http.StatusOK {
		t.Fatalf("remove pau: %d", r.status)
	}
	if st, _ := e.apiCall(token, "GET", "/api/bulletins", "", ""); st != http.StatusUnauthorized {
		t.Errorf("a token of a removed owner: %d, want 401", st)
	}
	if strings.Contains(admin.get("/admin").body, "<td>scripts</td>") {
		t.Error("the token is still listed after its owner's removal")
	}
}
