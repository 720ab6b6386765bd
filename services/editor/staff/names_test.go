package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
)

var newUserSecretRE = regexp.MustCompile(`secret=([A-Z2-7]+)`)

// An administrator adds "Pérez" in the UI: the account is pérez, logs in, is listed,
// owns a token and is removed through its own address; bad names are refused at the
// name, with nothing lost.
func TestAccentedNamesInTheUI(t *testing.T) {
	e := newEnv(t)
	ada := e.loggedIn("ada", accounts.Admin)

	bad := []struct{ name, want string }{
		{"an\x07na", "a control character"},
		{"núria puig", "a space inside"},
		{strings.Repeat("é", 65), "65 characters (want at most 64)"},
	}
	for _, tt := range bad {
		r := ada.post("/admin/users", url.Values{"name": {tt.name}, "role": {"writer"}, "password": {password}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tt.want) || !strings.Contains(r.body, "name") {
			t.Errorf("name %q: %d, want 422 saying %q", tt.name, r.status, tt.want)
		}
	}

	r := ada.post("/admin/users", url.Values{"name": {"Pérez"}, "role": {"publisher"}, "password": {password}})
	m := newUserSecretRE.FindStringSubmatch(strings.ReplaceAll(r.body, "&amp;", "&"))
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("add Pérez: %d\n%s", r.status, r.body)
	}
	e.clock.Add(30 * time.Second)
	p := e.browser()
	if r := p.login("pe\u0301rez", password, e.code(m[1])); r.status != http.StatusSeeOther {
		t.Fatalf("pérez logs in (decomposed): %d %s", r.status, r.body)
	}
	if r := p.get("/"); r.status != http.StatusOK || !strings.Contains(r.body, "pérez") {
		t.Fatalf("pérez's list: %d", r.status)
	}
	if r := ada.get("/admin"); !strings.Contains(r.body, "pérez") {
		t.Fatal("pérez is not listed")
	}
	if _, _, err := e.svc.Accounts.CreateToken(context.Background(), accounts.NewToken{Name: "importació", Scope: accounts.ScopePublish, Owner: "pérez", By: "ada"}); err != nil {
		t.Fatalf("token owned by pérez: %v", err)
	}
	if r := ada.post("/admin/users/"+url.PathEscape("pérez")+"/remove", url.Values{}); r.status != http.StatusOK {
		t.Fatalf("remove pérez: %d %s", r.status, r.body)
	}
	if _, err := e.svc.Accounts.User(context.Background(), "pérez"); err == nil {
		t.Fatal("pérez outlived her removal")
	}
	if toks, _ := e.svc.Accounts.Tokens(context.Background()); len(toks) != 0 {
		t.Fatalf("pérez's token outlived her: %+v", toks)
	}
	if r := p.get("/"); r.status == http.StatusOK {
		t.Fatal("pérez's session outlived her removal")
	}
}
