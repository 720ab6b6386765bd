package staff_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
)

// A publisher publishing an edit of a revision that is no longer the latest gets the
// two versions side by side, in plain words and Madrid time, and picks one: keep the
// current one (hers kept as her draft), or publish hers over it.
func TestConflictPagePicksOne(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.publishAs("pau", confinament("Quedeu-vos a casa."), desk.Intent{New: true})
	anna := e.loggedIn("anna", accounts.Publisher)
	// Marta publishes revision 2 while Anna edits revision 1.
	e.publishAs("marta", desk.Fields{ID: "confinament", Title: "Confinament: nou horari", Lang: "ca", Channels: []string{"web", "telegram"}, Body: "Els mercats obren de 8 a 14."}, desk.Intent{BaseRev: 1})
	mine := draftForm("publish", "La versió de l'Anna.", 1)
	mine.Set("title", "Confinament a Lleida (Anna)")

	// Without JavaScript the Publish button first asks to confirm: changed meanwhile, it
	// shows the two versions instead.
	noJS := draftForm("confirm", "La versió de l'Anna.", 1)
	if r := anna.post("/compose", noJS); r.status != http.StatusConflict || !strings.Contains(r.body, `id="conflict"`) {
		t.Errorf("publish without JavaScript: %d %s", r.status, r.body)
	}
	r := anna.post("/compose", mine)
	if r.status != http.StatusConflict {
		t.Fatalf("stale publish: %d %s", r.status, r.body)
	}
	cur, yours := between(r.body, `id="current"`, "</form>"), between(r.body, `id="mine"`, "</form>")
	for _, want := range []string{"Published now (revision 2)", "Confinament: nou horari", "Els mercats obren de 8 a 14.", "web, telegram"} {
		if !strings.Contains(cur, want) {
			t.Errorf("the current side lacks %q: %s", want, cur)
		}
	}
	for _, want := range []string{"Yours", "Confinament a Lleida (Anna)", "La versió de l&#39;Anna."} {
		if !strings.Contains(yours, want) {
			t.Errorf("her side lacks %q: %s", want, yours)
		}
	}
	rev2, _ := e.svc.Desk.Latest(ctx, "confinament")
	madrid, _ := time.LoadLocation("Europe/Madrid")
	if what := between(r.body, `id="conflict-what"`, "</p>"); !strings.Contains(what, "revision 2") || !strings.Contains(what, "marta") || !strings.Contains(what, rev2.At.In(madrid).Format("02/01/2006 15:04")) {
		t.Errorf("who and when (Madrid time): %s", what)
	}
	if strings.Contains(r.body, "---") || strings.Contains(r.body, "channels:") {
		t.Errorf("the page shows front matter: %s", r.body)
	}

	// Keep the current one: nothing published, her text kept as her draft of revision 2.
	keep := formOf(r.body, `id="current"`)
	keep.Set("action", "keep")
	if k := anna.post("/compose", keep); k.status != http.StatusSeeOther || !strings.HasPrefix(k.header.Get("Location"), "/drafts/confinament/") {
		t.Fatalf("keep: %d %s", k.status, k.body)
	}
	if l, _ := e.svc.Desk.Latest(ctx, "confinament"); l.Rev != 2 {
		t.Errorf("keeping the current one published revision %d", l.Rev)
	}
	dr, err := e.svc.Desk.DraftBy(ctx, "confinament", "anna")
	if err != nil || dr.BaseRev != 2 || dr.Fields.Body != "La versió de l'Anna." || dr.Fields.Title != "Confinament a Lleida (Anna)" {
		t.Fatalf("her kept draft: %+v %v", dr, err)
	}

	// Publish mine over it: re-based on revision 2, it goes through as revision 3.
	r = anna.post("/compose", mine)
	over := formOf(r.body, `id="mine"`)
	over.Set("action", "publish")
	if p := anna.post("/compose", over); p.status != http.StatusSeeOther {
		t.Fatalf("publish mine over it: %d %s", p.status, p.body)
	}
	l, _ := e.svc.Desk.Latest(ctx, "confinament")
	if l.Rev != 3 || l.Bulletin.Body != "La versió de l'Anna." || l.Bulletin.Title != "Confinament a Lleida (Anna)" || strings.Join(l.Bulletin.Channels, ",") != "web" {
		t.Errorf("published over it: rev %d %+v", l.Rev, l.Bulletin)
	}
	if _, err := e.svc.Desk.DraftBy(ctx, "confinament", "anna"); err == nil {
		t.Error("her draft is still kept after she published her text")
	}
}
