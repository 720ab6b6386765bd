package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
)

// The API's drafts follow the UI's rules: one per author, kept side by side; only the
// author or a publisher deletes one; ready for review; take over; publishing one names
// its writer and removes it; a stale publish is a conflict until re-based.
func TestDraftsThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.publishAs("anna", confinament("Quedeu-vos a casa."), desk.Intent{New: true})
	w1, w2, pub := e.token("w1", accounts.Writer), e.token("w2", accounts.Writer), e.token("p", accounts.Publisher)
	save := func(tok, body string) (int, map[string]any) {
		return e.apiCall(tok, "PUT", "/api/drafts/confinament", "application/json",
			`{"fields": {"title": "Confinament a Lleida", "lang": "ca", "channels": ["web"], "body": "`+body+`"}, "base_rev": 1}`)
	}
	if st, body := save(w1, "de w1"); st != http.StatusOK || body["author"] != "token:w1" {
		t.Fatalf("w1 saves: %d %v", st, body)
	}
	if st, body := save(w2, "de w2"); st != http.StatusOK || body["author"] != "token:w2" {
		t.Fatalf("w2 saves: %d %v", st, body)
	}
	st, body := e.apiCall(w1, "GET", "/api/drafts/confinament", "", "")
	if list, _ := body["drafts"].([]any); st != http.StatusOK || len(list) != 2 {
		t.Fatalf("both drafts kept: %d %v", st, body)
	}

	// A writer may not delete a colleague's draft; she keeps it.
	st, body = e.apiCall(w2, "DELETE", "/api/drafts/confinament/token:w1", "", "")
	if msg, _ := body["error"].(map[string]any); st != http.StatusForbidden || !strings.Contains(msg["message"].(string), "delete someone else's draft") {
		t.Errorf("w2 deletes w1's: %d %v", st, body)
	}
	if st, _ := e.apiCall(w1, "GET", "/api/drafts/confinament/token:w1", "", ""); st != http.StatusOK {
		t.Errorf("w1's draft after a refused delete: %d", st)
	}

	// Ready for review, listed for publishers.
	if st, body := e.apiCall(w1, "POST", "/api/drafts/confinament/token:w1/ready", "application/json", `{"ready": true}`); st != http.StatusOK || body["ready"] != true {
		t.Errorf("ready: %d %v", st, body)
	}
	if st, body := e.apiCall(w1, "POST", "/api/drafts/confinament/token:w1/ready", "application/json", `{"redy": true}`); st != http.StatusUnprocessableEntity || problemsOf(body)[0]["field"] != "ready" {
		t.Errorf("a bad ready body: %d %v", st, body)
	}
	st, body = e.apiCall(pub, "GET", "/api/drafts?ready=true", "", "")
	if list, _ := body["drafts"].([]any); st != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["author"] != "token:w1" {
		t.Errorf("for review: %d %v", st, body)
	}

	// Take over: w2's becomes a copy of w1's, which stays.
	if st, body := e.apiCall(w2, "POST", "/api/drafts/confinament/token:w1/take-over", "", ""); st != http.StatusOK || body["fields"].(map[string]any)["body"] != "de w1" {
		t.Errorf("take over: %d %v", st, body)
	}
	if ev := e.audited(audit.TakeOverDraft); len(ev) != 1 || ev[0].Actor != "token:w2" || ev[0].Via != "api" {
		t.Errorf("take-over audit: %+v", ev)
	}

	// A publisher publishes w1's draft: the revision names both, the draft is gone.
	md := `{"fields": {"id": "confinament", "title": "Confinament a Lleida", "lang": "ca", "channels": ["web"], "body": "de w1"}, "base_rev": 1, "draft_of": "token:w1"}`
	if st, body := e.apiCall(pub, "POST", "/api/bulletins", "application/json", md); st != http.StatusCreated {
		t.Fatalf("publish w1's draft: %d %v", st, body)
	}
	if l, _ := e.svc.Desk.Latest(ctx, "confinament"); l.Writer != "token:w1" || l.Author != "token:p" {
		t.Errorf("revision names author %q writer %q", l.Author, l.Writer)
	}
	if st, _ := e.apiCall(w1, "GET", "/api/drafts/confinament/token:w1", "", ""); st != http.StatusNotFound {
		t.Errorf("w1's draft after it was published: %d", st)
	}

	// Stale: based on revision 1 while 2 is out; re-based, it goes through.
	stale := strings.Replace(md, `"de w1"`, `"de p"`, 1)
	stale = strings.Replace(stale, `, "draft_of": "token:w1"`, "", 1)
	if st, body := e.apiCall(pub, "POST", "/api/bulletins", "application/json", stale); st != http.StatusConflict || body["error"].(map[string]any)["code"] != "conflict" {
		t.Errorf("stale publish: %d %v", st, body)
	}
	if st, body := e.apiCall(pub, "POST", "/api/bulletins", "application/json", strings.Replace(stale, `"base_rev": 1`, `"base_rev": 2`, 1)); st != http.StatusCreated {
		t.Errorf("re-based publish: %d %v", st, body)
	}

	// A publisher may delete a writer's draft; a bad id or author is answered in words.
	if st, body := e.apiCall(pub, "DELETE", "/api/drafts/confinament/"+url.PathEscape("token:w2"), "", ""); st != http.StatusNoContent {
		t.Errorf("publisher deletes w2's: %d %v", st, body)
	}
	if st, body := e.apiCall(pub, "DELETE", "/api/drafts/Confinament", "", ""); st != http.StatusBadRequest || body["error"].(map[string]any)["code"] != "bad_id" {
		t.Errorf("bad id: %d %v", st, body)
	}
	if st, body := e.apiCall(pub, "GET", "/api/drafts/confinament/ningú", "", ""); st != http.StatusNotFound {
		t.Errorf("nobody's draft: %d %v", st, body)
	}
	if st, body := e.apiCall(w1, "PUT", "/api/drafts/confinament", "application/json", `{"fields": {"id": "altre"}}`); st != http.StatusUnprocessableEntity || problemsOf(body)[0]["field"] != "id" {
		t.Errorf("id differing from the address: %d %v", st, body)
	}
}
