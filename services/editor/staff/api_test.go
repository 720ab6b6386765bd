package staff_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
)

// token makes an automation token that acts with role: owned by an account of its
// own ("owner-NAME"), of scope admin for an admin, else publish — and for a writer,
// its owner demoted to writer afterwards, which caps the token.
func (e *env) token(name string, role accounts.Role) string {
	e.t.Helper()
	ctx := context.Background()
	owner, scope := "owner-"+name, accounts.ScopePublish
	if role == accounts.Admin {
		scope = accounts.ScopeAdmin
	}
	e.user(owner, scope.Role())
	secret, _, err := e.svc.Accounts.CreateToken(ctx, accounts.NewToken{Name: name, Scope: scope, Owner: owner, By: "test"})
	if err != nil {
		e.t.Fatal(err)
	}
	if role == accounts.Writer {
		if _, err := e.svc.Accounts.SetRole(ctx, owner, accounts.Writer); err != nil {
			e.t.Fatal(err)
		}
	}
	return secret
}

func problemsOf(body map[string]any) []map[string]any {
	var out []map[string]any
	errObj, _ := body["error"].(map[string]any)
	ps, _ := errObj["problems"].([]any)
	for _, p := range ps {
		out = append(out, p.(map[string]any))
	}
	return out
}

func TestAPIPublishesMarkdownOrJSONAndNamesTheFieldOfEachError(t *testing.T) {
	e := newEnv(t)
	tok := e.token("importer", accounts.Publisher)

	st, body := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown; charset=utf-8", avis)
	rev, _ := body["revision"].(map[string]any)
	if st != http.StatusCreated || rev["id"] != "avis" || rev["rev"] != 1.0 || rev["author"] != "token:importer" {
		t.Fatalf("publish markdown: %d %v", st, body)
	}
	if st, body = e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", avis); st != http.StatusOK || body["changed"] != false {
		t.Errorf("same content again: %d %v", st, body)
	}
	st, body = e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", "---\nid: mal\ntitle: Mal\nchannels: [fax]\n---\n")
	ps := problemsOf(body)
	if st != http.StatusUnprocessableEntity || len(ps) != 2 || ps[0]["field"] != "channels" || ps[0]["line"] != 4.0 ||
		!strings.Contains(ps[0]["message"].(string), `unknown channel "fax"`) || ps[1]["field"] != "body" {
		t.Errorf("bad markdown: %d %v", st, body)
	}
	st, body = e.apiCall(tok, "POST", "/api/bulletins", "application/json",
		`{"fields": {"id": "mercats", "title": "Mercats", "lang": "es", "channels": ["web"], "body": "Los mercados abren."}}`)
	if st != http.StatusCreated {
		t.Errorf("publish JSON fields: %d %v", st, body)
	}
	st, body = e.apiCall(tok, "POST", "/api/bulletins", "application/json", `{"markdown": 3}`)
	if st != http.StatusUnprocessableEntity || !strings.Contains(problemsOf(body)[0]["message"].(string), "does not parse") {
		t.Errorf("bad JSON: %d %v", st, body)
	}
	if st, body = e.apiCall(tok, "POST", "/api/bulletins", "image/png", "x"); st != http.StatusUnprocessableEntity || problemsOf(body)[0]["field"] != "Content-Type" {
		t.Errorf("wrong content type: %d %v", st, body)
	}
	if st, body = e.apiCall(tok, "POST", "/api/bulletins?new=true", "text/markdown", strings.Replace(avis, "tanquen", "obren", 1)); st != http.StatusUnprocessableEntity || problemsOf(body)[0]["field"] != "id" {
		t.Errorf("new=true over a published id: %d %v", st, body)
	}

	st, body = e.apiCall(tok, "GET", "/api/bulletins", "", "")
	if list, _ := body["bulletins"].([]any); st != http.StatusOK || len(list) != 2 {
		t.Errorf("list: %d %v", st, body)
	}
	st, body = e.apiCall(tok, "GET", "/api/bulletins/avis", "", "")
	if chans, _ := body["channels"].([]any); st != http.StatusOK || len(chans) != 2 {
		t.Errorf("status: %d %v", st, body)
	}
	if st, body = e.apiCall(tok, "GET", "/api/bulletins/ningu", "", ""); st != http.StatusNotFound || body["error"].(map[string]any)["code"] != "not_found" {
		t.Errorf("unknown bulletin: %d %v", st, body)
	}
	if st, body = e.apiCall(tok, "POST", "/api/bulletins/avis/retract", "", ""); st != http.StatusOK {
		t.Errorf("retract: %d %v", st, body)
	}
	if st, body = e.apiCall(tok, "GET", "/api/bulletins/avis/history", "", ""); st != http.StatusOK || len(body["revisions"].([]any)) != 2 {
		t.Errorf("history: %d %v", st, body)
	}
	if st, _ := e.apiCall(tok, "POST", "/api/bulletins/avis/retry/fax", "", ""); st != http.StatusUnprocessableEntity {
		t.Errorf("retry on an unknown channel: %d", st)
	}

	writer := e.token("drafts", accounts.Writer)
	if st, body := e.apiCall(writer, "POST", "/api/bulletins", "text/markdown", avis); st != http.StatusForbidden || !strings.Contains(body["error"].(map[string]any)["message"].(string), "publisher role") {
		t.Errorf("writer token publishes: %d %v", st, body)
	}
	if st, _ := e.apiCall(writer, "GET", "/api/audit", "", ""); st != http.StatusForbidden {
		t.Errorf("writer token reads the audit log: %d", st)
	}
	if st, body := e.apiCall(tok, "GET", "/api/audit", "", ""); st != http.StatusOK || len(body["events"].([]any)) < 4 {
		t.Errorf("audit: %d", st)
	}
}

// POST /api/login takes the login page's two factors and gives a token that acts as the
// member: the audit log and the bulletins name her, her role applies, and the token
// ends with the session limit or with her account.
func TestAPILoginTokenActsAsTheMemberUntilItExpires(t *testing.T) {
	e := newEnv(t)
	secret := e.user("anna", accounts.Publisher)
	login := func(pw, code string) (int, map[string]any) {
		return e.apiCall("", "POST", "/api/login", "application/json", `{"name": "anna", "password": "`+pw+`", "code": "`+code+`"}`)
	}
	if st, body := login("wrong password!", e.code(secret)); st != http.StatusUnauthorized || body["error"].(map[string]any)["code"] != "bad_login" {
		t.Errorf("wrong password: %d %v", st, body)
	}
	st, body := login(password, e.code(secret))
	if st != http.StatusCreated || body["name"] != "anna" || body["role"] != "publisher" {
		t.Fatalf("login: %d %v", st, body)
	}
	tok := body["token"].(string)
	if st, body := login(password, e.code(secret)); st != http.StatusUnauthorized {
		t.Errorf("the same code twice: %d %v", st, body)
	}
	if st, body := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", avis); st != http.StatusCreated || body["revision"].(map[string]any)["author"] != "anna" {
		t.Errorf("publish with the login token: %d %v", st, body)
	}
	if got := e.audited(audit.Publish); len(got) != 1 || got[0].Actor != "anna" || got[0].Via != "api" {
		t.Errorf("audit publish: %+v", got)
	}
	if got := e.audited(audit.Login); len(got) != 1 || got[0].Actor != "anna" {
		t.Errorf("audit login: %+v", got)
	}
	e.clock.Add(e.cfg.SessionMax)
	if st, body := e.apiCall(tok, "GET", "/api/bulletins", "", ""); st != http.StatusUnauthorized || body["error"].(map[string]any)["code"] != "invalid_token" {
		t.Errorf("after the session limit: %d %v", st, body)
	}
	e.clock.Add(time.Minute)
	_, body = login(password, e.code(secret))
	tok = body["token"].(string)
	if err := e.svc.Accounts.RemoveUser(context.Background(), "anna"); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.apiCall(tok, "GET", "/api/bulletins", "", ""); st != http.StatusUnauthorized {
		t.Errorf("after the account is removed: %d", st)
	}
}
