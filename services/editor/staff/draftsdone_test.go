package staff_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/natstest"
)

// A publisher opens Núria's draft; Núria goes on writing and saves again; the publisher
// publishes what she opened. Núria's newer text is kept, the publisher is taken to it
// and told why, and the revision still names both.
func TestPublishingAColleaguesDraftKeepsHerLaterChanges(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.publishAs("anna", confinament("Quedeu-vos a casa."), desk.Intent{New: true})
	nuria := e.loggedIn("núria", accounts.Writer)
	anna := e.loggedIn("anna", accounts.Publisher)
	who := desk.AuthorKey("núria")

	if r := nuria.post("/compose", draftForm("draft", "La primera versió de la Núria.", 1)); r.status != http.StatusOK {
		t.Fatalf("núria's draft: %d %s", r.status, r.body)
	}
	opened := anna.get("/drafts/confinament/" + who)
	form := formOf(opened.body, `id="compose"`)
	if form.Get("draft_of") != "núria" || form.Get("draft_rev") == "" {
		t.Fatalf("the draft's page does not carry whose draft and its revision: %v", form)
	}
	if r := nuria.post("/compose", draftForm("draft", "La segona versió de la Núria, més completa.", 1, "draft_of", "núria")); r.status != http.StatusOK {
		t.Fatalf("núria saves again: %d %s", r.status, r.body)
	}

	form.Set("action", "publish")
	form.Set("id", "confinament")
	form.Set("title", "Confinament a Lleida")
	form.Set("body", "La primera versió de la Núria.")
	form["channels"] = []string{"web"}
	r := anna.post("/compose", form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/drafts/confinament/"+who+"?done=kept" {
		t.Fatalf("publish: %d %v %s", r.status, r.header, r.body)
	}
	if p := anna.get(r.header.Get("Location")); !strings.Contains(p.body, "núria changed her draft after you opened it, so it is kept") ||
		!strings.Contains(p.body, "La segona versió de la Núria, més completa.") {
		t.Errorf("the publisher is not told, or not shown, the draft kept: %s", p.body)
	}
	l, err := e.svc.Desk.Latest(ctx, "confinament")
	if err != nil || l.Rev != 2 || l.Bulletin.Body != "La primera versió de la Núria." || l.Writer != "núria" || l.Author != "anna" {
		t.Fatalf("published: %+v %v", l, err)
	}
	if dr, err := e.svc.Desk.DraftBy(ctx, "confinament", "núria"); err != nil || dr.Fields.Body != "La segona versió de la Núria, més completa." {
		t.Fatalf("núria's later text: %+v %v", dr, err)
	}
	if ev := e.audited("draft_delete"); len(ev) != 0 {
		t.Errorf("a kept draft is audited as removed: %+v", ev)
	}

	// Opened again and published unchanged since: now it goes, audited with the publish.
	form = formOf(anna.get("/drafts/confinament/"+who).body, `id="compose"`)
	form.Set("action", "publish")
	form.Set("id", "confinament")
	form.Set("title", "Confinament a Lleida")
	form.Set("body", "La segona versió de la Núria, més completa.")
	form.Set("base_rev", "2") // the revision out now: her draft edits the first
	form["channels"] = []string{"web"}
	if r := anna.post("/compose", form); r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "done=published") {
		t.Fatalf("publish again: %d %v %s", r.status, r.header, r.body)
	}
	if _, err := e.svc.Desk.DraftBy(ctx, "confinament", "núria"); err == nil {
		t.Error("núria's draft is still there after its text was published")
	}
	if ev := e.audited("draft_delete"); len(ev) != 1 || ev[0].Actor != "anna" || !strings.Contains(ev[0].Detail, "draft of núria, done by publishing confinament@3") {
		t.Errorf("removal audit: %+v", ev)
	}
}

// Through the API a draft_of without the draft's revision deletes nobody's work: the
// draft goes only if it holds the text published; with "rev" it goes while unchanged.
func TestAPIPublishOfADraftNeedsItsRevision(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	w1, pub := e.token("w1", accounts.Writer), e.token("p", accounts.Publisher)
	if st, body := e.apiCall(w1, "PUT", "/api/drafts/avis", "application/json", `{"fields": {"id": "avis", "title": "Avís", "lang": "ca", "channels": ["web"], "body": "de w1"}}`); st/100 != 2 {
		t.Fatalf("save: %d %v", st, body)
	}
	st, body := e.apiCall(pub, "GET", "/api/drafts/avis/token:w1", "", "")
	rev, _ := body["rev"].(float64)
	if st != http.StatusOK || rev == 0 {
		t.Fatalf("the draft's JSON has no rev: %d %v", st, body)
	}
	other := `{"fields": {"id": "avis", "title": "Avís", "lang": "ca", "channels": ["web"], "body": "una altra cosa"}, "new": true, "draft_of": "token:w1"}`
	for _, bad := range []string{`"x"`, `-1`, `1.5`} {
		st, body := e.apiCall(pub, "POST", "/api/bulletins", "application/json", strings.Replace(other, `"new": true`, `"new": true, "draft_rev": `+bad, 1))
		if ps := problemsOf(body); st != http.StatusUnprocessableEntity || len(ps) == 0 || !strings.Contains(ps[0]["message"].(string), "draft_rev") {
			t.Errorf("draft_rev %s: %d %v, want 422 naming draft_rev", bad, st, body)
		}
	}
	if _, _, err := e.pub.Latest(ctx, "avis"); err == nil {
		t.Fatal("a refused publish went out")
	}
	st, body = e.apiCall(pub, "POST", "/api/bulletins", "application/json", other)
	if kept, _ := body["kept_drafts"].([]any); st != http.StatusCreated || len(kept) != 1 || kept[0] != "token:w1" {
		t.Fatalf("publish naming w1's draft, other text, no rev: %d %v", st, body)
	}
	if _, err := e.svc.Desk.DraftBy(ctx, "avis", "token:w1"); err != nil {
		t.Fatalf("w1's draft was deleted by a publish of another text: %v", err)
	}
	edit := strings.Replace(other, `"new": true`, `"base_rev": 1, "draft_rev": `+strconv.Itoa(int(rev)), 1)
	if st, body := e.apiCall(pub, "POST", "/api/bulletins", "application/json", strings.Replace(edit, "una altra cosa", "de w1, revisat", 1)); st != http.StatusCreated || body["kept_drafts"] != nil {
		t.Fatalf("publish with w1's rev: %d %v", st, body)
	}
	if _, err := e.svc.Desk.DraftBy(ctx, "avis", "token:w1"); err == nil {
		t.Error("w1's unchanged draft is still there after a publish with its revision")
	}
}

// The conflict page when the revision published meanwhile is a retraction: it says who
// withdrew it, when and why, and the button says it publishes hers again.
func TestConflictAfterAWithdrawal(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.publishAs("pau", confinament("Quedeu-vos a casa."), desk.Intent{New: true})
	anna := e.loggedIn("anna", accounts.Publisher)
	marta := desk.Actor{Name: "marta", Role: accounts.Publisher, Via: "test"}
	rev, err := e.svc.Desk.RetractBecause(ctx, marta, "confinament", "data equivocada")
	if err != nil {
		t.Fatal(err)
	}
	r := anna.post("/compose", draftForm("publish", "La versió de l'Anna.", 1))
	if r.status != http.StatusConflict {
		t.Fatalf("publish over a withdrawal: %d %s", r.status, r.body)
	}
	cur, yours := between(r.body, `id="current"`, "</form>"), between(r.body, `id="mine"`, "</form>")
	madrid, _ := time.LoadLocation("Europe/Madrid")
	when := rev.At.In(madrid).Format("02/01/2006 15:04")
	for _, want := range []string{"Withdrawn now (revision 2)", "Withdrawn by marta on " + when + " (data equivocada).", "Keep it withdrawn"} {
		if !strings.Contains(cur, want) {
			t.Errorf("the current side lacks %q: %s", want, cur)
		}
	}
	if strings.Contains(cur, "Published now") {
		t.Errorf("the withdrawn text is shown as published now: %s", cur)
	}
	if !strings.Contains(yours, "Publish mine again") || strings.Contains(yours, "Publish mine over it") {
		t.Errorf("her button: %s", yours)
	}
	keep := formOf(r.body, `id="current"`)
	keep.Set("action", "keep")
	k := anna.post("/compose", keep)
	if k.status != http.StatusSeeOther {
		t.Fatalf("keep it withdrawn: %d %s", k.status, k.body)
	}
	if p := anna.get(k.header.Get("Location")); !strings.Contains(p.body, "The bulletin stays withdrawn; your text is here, kept as your draft.") {
		t.Errorf("keeping it withdrawn says: %s", between(p.body, "<main>", "<form"))
	}
	if l, _ := e.svc.Desk.Latest(ctx, "confinament"); l.Rev != 2 {
		t.Errorf("keeping it withdrawn published revision %d", l.Rev)
	}
	again := formOf(r.body, `id="mine"`)
	again.Set("action", "publish")
	if p := anna.post("/compose", again); p.status != http.StatusSeeOther {
		t.Fatalf("publish mine again: %d %s", p.status, p.body)
	}
	if l, _ := e.svc.Desk.Latest(ctx, "confinament"); l.Rev != 3 || l.Bulletin.Body != "La versió de l'Anna." {
		t.Errorf("published again: %+v", l)
	}
}

// A publisher schedules Núria's draft: when the runner publishes it, the revision
// names Núria as its writer and the publisher as its author, as a publish now would.
func TestScheduledColleaguesDraftNamesItsWriter(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	nuria := e.loggedIn("núria", accounts.Writer)
	anna := e.loggedIn("anna", accounts.Publisher)
	at := t0.Add(time.Hour)
	local := at.In(mustLoc(t)).Format("2006-01-02T15:04")
	if r := nuria.post("/compose", composeForm("draft", "new", "1", "id", "mascaretes", "title", "Mascaretes al bus", "body", "Cal portar mascareta.", "publish_at", local)); r.status != http.StatusOK {
		t.Fatalf("núria's draft: %d %s", r.status, r.body)
	}
	form := formOf(anna.get("/drafts/mascaretes/"+desk.AuthorKey("núria")).body, `id="compose"`)
	for k, v := range composeForm("publish", "id", "mascaretes", "title", "Mascaretes al bus", "body", "Cal portar mascareta.", "publish_at", local) {
		form[k] = v
	}
	if r := anna.post("/compose", form); r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "done=scheduled") {
		t.Fatalf("schedule núria's draft: %d %v %s", r.status, r.header, r.body)
	}
	stop := e.background()
	defer stop()
	e.clock.Add(2 * time.Hour)
	natstest.WaitFor(t, 10*time.Second, "the scheduled draft on the bus", func() bool {
		_, _, err := e.pub.Latest(ctx, "mascaretes")
		return err == nil
	})
	rev, _, _ := e.pub.Latest(ctx, "mascaretes")
	if rev.Author != "anna" || rev.Writer != "núria" {
		t.Errorf("the scheduled revision names author %q and writer %q, want anna and núria", rev.Author, rev.Writer)
	}
}
