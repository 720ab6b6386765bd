package staff_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// A bulletin's history reads as what changed, before and after, in words: the title,
// the paragraph edited, the channel added, the publish time as dd/mm/aaaa HH:MM in
// Madrid, urgency, and why it was retracted; never the file's front matter.
func TestHistoryReadsBeforeAndAfter(t *testing.T) {
	e := newEnv(t)
	b := e.loggedIn("anna", accounts.Publisher)
	if r := b.post("/compose", composeForm("publish", "new", "1", "id", "ple", "title", "Ple municipal",
		"body", "El ple se celebra a la Paeria.\n\nÉs obert al públic.")); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	f := composeForm("publish", "base_rev", "1", "id", "ple", "title", "Ple municipal telemàtic",
		"body", "El ple se celebra per videoconferència.\n\nÉs obert al públic.", "publish_at", "2020-03-14T08:30", "urgent", "on")
	f["channels"] = []string{"web"} // telegram removed
	if r := b.post("/compose", f); r.status != http.StatusSeeOther && r.status != http.StatusAccepted && r.status != http.StatusOK {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	if r := b.post("/bulletins/ple/retract", url.Values{"reason": {"la sessió s'ha ajornat"}}); r.status != http.StatusSeeOther {
		t.Fatalf("retract: %d %s", r.status, r.body)
	}
	page := b.get("/bulletins/ple").body
	for _, want := range []string{
		"<del>Ple municipal</del>", "<ins>Ple municipal telemàtic</ins>",
		"<del>El ple se celebra a la Paeria.</del>", "<ins>El ple se celebra per videoconferència.</ins>",
		"removed: telegram",
		"Reason: la sessió s&#39;ha ajornat",
		"First publication.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the history lacks %q", want)
		}
	}
	for _, never := range []string{"publish_at", "channels:", "title:", "---", "T21:00", "+01:00"} {
		if strings.Contains(page, never) {
			t.Errorf("the history shows %q: front matter or an ISO time", never)
		}
	}
	if !strings.Contains(page, "Publish time") || !strings.Contains(page, "<ins>14/03/2020 08:30</ins>") {
		t.Errorf("the publish time is not in dd/mm/aaaa HH:MM Madrid time")
	}
}
