package staff_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
)

// publishAs publishes a bulletin through the desk, as a publisher at her desk would.
func (e *env) publishAs(name string, f desk.Fields, in desk.Intent) {
	e.t.Helper()
	a := desk.Actor{Name: name, Role: accounts.Publisher, Via: "test"}
	if _, err := e.svc.Desk.Publish(context.Background(), a, f.Source(), in); err != nil {
		e.t.Fatal(err)
	}
}

func confinament(body string) desk.Fields {
	return desk.Fields{ID: "confinament", Title: "Confinament a Lleida", Lang: "ca", Channels: []string{"web"}, Body: body}
}

// draftForm is the compose form of an edit of confinament's revision rev.
func draftForm(action, body string, rev int, extra ...string) url.Values {
	f := composeForm(action, append([]string{"id", "confinament", "title", "Confinament a Lleida", "body", body, "base_rev", strconv.Itoa(rev)}, extra...)...)
	f["channels"] = []string{"web"}
	return f
}

// Two writers' drafts of one bulletin are both kept; each sees the other is editing,
// may take a colleague's draft over (hers stays), but not delete it; a publisher sees
// the one marked ready for review, publishes it, and the bulletin names its writer.
func TestDraftsBelongToTheirAuthor(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.publishAs("anna", confinament("Quedeu-vos a casa."), desk.Intent{New: true})
	nuria := e.loggedIn("núria", accounts.Writer)
	pau := e.loggedIn("pau", accounts.Writer)
	anna := e.loggedIn("anna", accounts.Publisher)

	if r := nuria.post("/compose", draftForm("draft", "La versió de la Núria.", 1)); r.status != http.StatusOK || !strings.Contains(r.body, "Draft saved") {
		t.Fatalf("núria's draft: %d %s", r.status, r.body)
	}
	// Pau opens the bulletin to edit it: Núria is editing it, and he is told so.
	r := pau.get("/bulletins/confinament/edit")
	if !strings.Contains(r.body, "núria is editing this bulletin (draft saved 14/03/2020 10:00)") || !strings.Contains(r.body, "Take over") {
		t.Fatalf("pau is not told núria is editing: %s", r.body)
	}
	if r := pau.post("/compose", draftForm("draft", "La versió del Pau.", 1)); r.status != http.StatusOK {
		t.Fatalf("pau's draft: %d %s", r.status, r.body)
	}
	drafts, err := e.svc.Desk.DraftsOf(ctx, "confinament")
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{}
	for _, d := range drafts {
		bodies[d.Author] = d.Fields.Body
	}
	if len(drafts) != 2 || bodies["núria"] != "La versió de la Núria." || bodies["pau"] != "La versió del Pau." {
		t.Fatalf("drafts kept: %v", bodies)
	}

	// A writer may not throw a colleague's draft away.
	nuriaWho := desk.AuthorKey("núria")
	if r := pau.post("/drafts/confinament/"+nuriaWho+"/delete", nil); r.status != http.StatusForbidden || !strings.Contains(r.body, "delete someone else&#39;s draft") {
		t.Errorf("pau deleting núria's draft: %d %s", r.status, r.body)
	}
	if _, err := e.svc.Desk.DraftBy(ctx, "confinament", "núria"); err != nil {
		t.Fatalf("núria's draft is gone after a refused delete: %v", err)
	}

	// Take over: his draft becomes a copy of hers, hers stays; audited.
	r = pau.post("/drafts/confinament/"+nuriaWho+"/take-over", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/drafts/confinament/"+desk.AuthorKey("pau") {
		t.Fatalf("take over: %d %v", r.status, r.header)
	}
	if d, _ := e.svc.Desk.DraftBy(ctx, "confinament", "pau"); d == nil || d.Fields.Body != "La versió de la Núria." {
		t.Errorf("pau's draft after taking over: %+v", d)
	}
	if d, _ := e.svc.Desk.DraftBy(ctx, "confinament", "núria"); d == nil || d.Fields.Body != "La versió de la Núria." {
		t.Errorf("núria's draft after pau took it over: %+v", d)
	}
	if ev := e.audited(audit.TakeOverDraft); len(ev) != 1 || ev[0].Actor != "pau" || !strings.Contains(ev[0].Detail, "from núria") {
		t.Errorf("take-over audit: %+v", ev)
	}

	// Núria marks hers ready for review: the publisher sees it at the top, a writer not.
	if r := nuria.post("/compose", draftForm("ready", "La versió de la Núria, a punt.", 1, "draft_of", "núria")); r.status != http.StatusSeeOther {
		t.Fatalf("ready: %d %s", r.status, r.body)
	}
	list := anna.get("/").body
	review := between(list, `id="review"`, "</table>")
	if !strings.Contains(list, "For review") || !strings.Contains(review, "Confinament a Lleida") || !strings.Contains(review, "núria") || !strings.Contains(review, "14/03/2020 10:00") {
		t.Errorf("anna's list has no review section with núria's draft: %s", list)
	}
	if l := pau.get("/").body; strings.Contains(l, `id="review"`) {
		t.Errorf("a writer sees the review section")
	}

	// Anna publishes Núria's draft: it is gone, Pau's stays, and both names are kept.
	if r := anna.post("/compose", draftForm("publish", "La versió de la Núria, a punt.", 1, "draft_of", "núria")); r.status != http.StatusSeeOther {
		t.Fatalf("publish núria's draft: %d %s", r.status, r.body)
	}
	latest, err := e.svc.Desk.Latest(ctx, "confinament")
	if err != nil || latest.Rev != 2 || latest.Author != "anna" || latest.Writer != "núria" {
		t.Fatalf("published: %+v %v", latest, err)
	}
	if _, err := e.svc.Desk.DraftBy(ctx, "confinament", "núria"); err == nil {
		t.Error("núria's draft is still there after it was published")
	}
	if _, err := e.svc.Desk.DraftBy(ctx, "confinament", "pau"); err != nil {
		t.Errorf("pau's draft went with núria's publish: %v", err)
	}
	for _, path := range []string{"/", "/bulletins/confinament"} {
		if b := anna.get(path).body; !strings.Contains(b, "written by núria, published by anna") {
			t.Errorf("%s does not name writer and publisher: %s", path, b)
		}
	}

	// A publisher may delete a writer's draft.
	if r := anna.post("/drafts/confinament/"+desk.AuthorKey("pau")+"/delete", nil); r.status != http.StatusSeeOther {
		t.Errorf("anna deleting pau's draft: %d %s", r.status, r.body)
	}
	// Two removals: núria's draft, done by anna's publish of it, and pau's.
	details := map[string]bool{}
	for _, ev := range e.audited(audit.DeleteDraft) {
		details[ev.Detail] = ev.Actor == "anna"
	}
	if len(details) != 2 || !details["draft of pau"] || !details["draft of núria, done by publishing confinament@2"] {
		t.Errorf("delete audit: %+v", e.audited(audit.DeleteDraft))
	}
}

// A new bulletin's draft may not take an id already published: refused at the id
// field, in the UI and the API alike, and nothing is saved.
func TestDraftReusingPublishedIDRefused(t *testing.T) {
	e := newEnv(t)
	e.publishAs("anna", confinament("Quedeu-vos a casa."), desk.Intent{New: true})
	b := e.loggedIn("pau", accounts.Writer)
	r := b.post("/compose", composeForm("draft", "new", "1", "id", "confinament", "title", "Un altre", "body", "x"))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(between(r.body, `data-for="id"`, "</p>"), "is already published") {
		t.Errorf("UI: %d %s", r.status, r.body)
	}
	tok := e.token("script", accounts.Writer)
	st, body := e.apiCall(tok, "PUT", "/api/drafts/confinament", "application/json", `{"fields": {"title": "Un altre", "body": "x"}}`)
	ps := problemsOf(body)
	if st != http.StatusUnprocessableEntity || len(ps) != 1 || ps[0]["field"] != "id" || !strings.Contains(ps[0]["message"].(string), "already published") {
		t.Errorf("API: %d %v", st, body)
	}
	if ds, _ := e.svc.Desk.DraftsOf(context.Background(), "confinament"); len(ds) != 0 {
		t.Errorf("a refused draft was saved: %+v", ds)
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// formOf is the form a page's section (from marker to </form>) would post.
func formOf(page, marker string) url.Values {
	v := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(between(page, marker, "</form>"), -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	return v
}
