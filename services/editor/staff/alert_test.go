package staff_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/shared/bulletin"
)

// An alert published from a file survives an edit in the form, which has no alert fields:
// dropping it would make the public page cancel a CAP alert staff never withdrew.
func TestEditingAnAlertInTheFormKeepsTheAlert(t *testing.T) {
	e := newEnv(t)
	e.channels("telegram", "web")
	b := &bulletin.Bulletin{ID: "confinament", Title: "Confinament", Lang: "ca", Group: "confinament",
		Channels: []string{bulletin.Telegram, bulletin.Web}, Body: "Cal quedar-se a casa.",
		Alert: &bulletin.Alert{Severity: "Severe", Urgency: "Immediate", Certainty: "Observed", Category: []string{"Health"}, Event: "Confinament"}}
	if _, err := e.pub.Publish(context.Background(), b, "anna"); err != nil {
		t.Fatal(err)
	}
	br := e.loggedIn("anna", accounts.Publisher)
	edit := br.get("/bulletins/confinament/edit")
	m := regexp.MustCompile(`name="alert" value="([^"]*)"`).FindStringSubmatch(edit.body)
	if m == nil {
		t.Fatalf("the edit form does not carry the alert:\n%s", edit.body)
	}
	r := br.post("/compose", composeForm("publish", "base_rev", "1", "id", "confinament", "title", "Confinament",
		"group", "confinament", "body", "Cal quedar-se a casa fins a nou avís.", "alert", html.UnescapeString(m[1])))
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	latest, _, err := e.pub.Latest(context.Background(), "confinament")
	if err != nil {
		t.Fatal(err)
	}
	if latest.Rev != 2 || latest.Bulletin.Alert == nil || latest.Bulletin.Alert.Severity != "Severe" {
		t.Errorf("revision %d has alert %+v; want revision 2 still an alert", latest.Rev, latest.Bulletin.Alert)
	}
}
