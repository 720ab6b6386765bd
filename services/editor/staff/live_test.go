package staff_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/natstest"
)

// The list follows the bus with the page open: a schedule that goes out leaves the
// scheduled table and appears among the published with its states; a colleague's new
// bulletin and a new revision show, all without a reload.
func TestBrowserListFollowsScheduleAndColleagues(t *testing.T) {
	e := newEnv(t)
	e.background()
	e.channels("telegram", "web")
	// Soon enough that the sessions outlive the wait (their idle limit is on this clock).
	at := e.clock.Now().Add(5 * time.Minute).Truncate(time.Minute)
	planner := e.loggedIn("marta", accounts.Publisher)
	if r := planner.post("/compose", composeForm("publish", "new", "1", "id", "mascaretes", "title", "Mascaretes al bus", "body", "Cal portar mascareta.",
		"publish_at", at.In(mustLoc(t)).Format("2006-01-02T15:04"))); r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "done=scheduled") {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	e.publish("primer", "Primer avís", bulletin.Telegram, bulletin.Web)
	e.waitState("primer", bulletin.Web, "delivered")

	tb := chromeAs(t, e, "anna", accounts.Publisher)
	tb.waitJS("the scheduled row", `!!document.querySelector('#schedules tr[data-schedule="mascaretes"]') && !document.querySelector('#bulletins tr[data-id="mascaretes"]')`)
	tb.eval("mark the page", `String(window.__samePage = 7)`)
	// A second tab on the scheduled bulletin's own page.
	tab2ctx, cancel2 := chromedp.NewContext(tb.ctx)
	defer cancel2()
	tb2 := &tab{t: t, ctx: tab2ctx}
	tb2.must("open the scheduled bulletin", chromedp.Do(tab2ctx, chromedp.Navigate(e.srv.URL+"/bulletins/mascaretes"), chromedp.WaitVisible(chromedp.CSS("section.scheduled"))))
	tb2.eval("mark the page", `String(window.__samePage = 8)`)

	// Its time comes.
	e.clock.Add(6 * time.Minute)
	natstest.WaitFor(t, 20*time.Second, "the schedule to go out", func() bool {
		_, _, err := e.pub.Latest(context.Background(), "mascaretes")
		return err == nil
	})
	tb.waitJS("the schedule leaves", `!document.querySelector('#schedules tr[data-schedule="mascaretes"]')`)
	tb.waitJS("the bulletin among the published, delivered", `!!document.querySelector('#bulletins tr[data-id="mascaretes"]') && document.querySelector('[data-cell="mascaretes.telegram"]').className.includes('s-delivered') && document.querySelector('[data-cell="mascaretes.web"]').className.includes('s-delivered')`)

	tb2.waitJS("the bulletin's page: scheduled no more, delivered", `!document.querySelector('section.scheduled') && !!document.querySelector('#channels') && document.querySelector('[data-cell="mascaretes.telegram"]').className.includes('s-delivered')`)
	if n := tb2.eval("same page", `String(window.__samePage || 0)`); n != "8" {
		t.Error("the bulletin's page reloaded instead of following the bus")
	}

	// A colleague publishes a new bulletin, then edits the first one.
	e.publish("nou", "Avís nou", bulletin.Telegram, bulletin.Web)
	tb.waitJS("the colleague's bulletin", `!!document.querySelector('#bulletins tr[data-id="nou"]') && document.querySelector('[data-cell="nou.web"]').className.includes('s-delivered')`)
	b := &bulletin.Bulletin{ID: "primer", Title: "Primer avís (corregit)", Lang: "ca", Channels: []string{bulletin.Telegram, bulletin.Web}, Body: "Text corregit."}
	if _, err := e.pub.Publish(context.Background(), b, "pau"); err != nil {
		t.Fatal(err)
	}
	tb.waitJS("the new revision and its author", `(r => !!r && r.dataset.rev === '2' && r.innerText.includes('Primer avís (corregit)') && r.innerText.includes('pau'))(document.querySelector('#bulletins tr[data-id="primer"]'))`)
	if n := tb.eval("same page", `String(window.__samePage || 0)`); n != "7" {
		t.Error("the page reloaded instead of following the bus")
	}
	// The audit log says the system sent it out, for whom.
	if r := planner.get("/audit?action=publish"); !strings.Contains(r.body, "<td>system (scheduled by marta)</td>") {
		t.Errorf("the audit page does not say the system published the schedule:\n%s", r.body)
	}
}
