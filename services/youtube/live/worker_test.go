package live_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/services/youtube/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/ytfields"
)

func TestAnnounceEditRetractSchedulesUpdatesAndDeletesOneBroadcast(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var ops []string
	cfg := e.config(nil)
	cfg.Observe = func(o delivery.Outcome) {
		mu.Lock()
		defer mu.Unlock()
		ops = append(ops, o.Op+" "+string(o.State))
	}
	svc, _, _ := e.worker(cfg)

	b := e.announcement("roda-premsa", "Roda de premsa del paer en cap",
		"El **paer en cap** informa de les noves mesures.\n\n- Queda't a casa\n- Renta't les mans")
	e.publish(b)
	rec := e.waitState("roda-premsa", 1, delivery.Delivered)
	bc := e.only("roda-premsa")
	if bc.Title != "Roda de premsa del paer en cap" || !bc.Start.Equal(b.Live.Start) || bc.Privacy != "public" {
		t.Errorf("broadcast = %q at %s (%s); want the live title at %s, public", bc.Title, bc.Start, bc.Privacy, b.Live.Start)
	}
	for _, want := range []string{"El paer en cap informa de les noves mesures.", "• Queda't a casa",
		permalink("roda-premsa")} {
		if !strings.Contains(bc.Description, want) {
			t.Errorf("description lacks %q:\n%s", want, bc.Description)
		}
	}
	// Viewers read the description: no internal tag of pregoner's may show in it, nor on
	// the watch page that renders it.
	if page := e.get("/watch?v=" + bc.ID); strings.Contains(bc.Description, "[pregoner:") || strings.Contains(page, "[pregoner:") {
		t.Errorf("viewers see an internal marker:\n%s", bc.Description)
	}
	if strings.Contains(bc.Description, "**") {
		t.Errorf("description shows Markdown markup:\n%s", bc.Description)
	}
	if want := live.DefaultWatchURL + bc.ID; rec.Ref.URL != want || !slices.Equal(rec.Ref.IDs, []string{bc.ID}) {
		t.Errorf("record ref = %+v; want url %s and id %s", rec.Ref, want, bc.ID)
	}

	// Edit: new title, new time, new text. The same broadcast changes.
	edited := *b
	edited.Live = &bulletin.Live{Start: b.Live.Start.Add(90 * time.Minute), Title: "Roda de premsa (nou horari)"}
	edited.Body = "Canvi d'hora: la roda de premsa comença a les 13:30."
	e.publish(&edited)
	e.waitState("roda-premsa", 2, delivery.Delivered)
	after := e.only("roda-premsa")
	if after.ID != bc.ID || after.Title != "Roda de premsa (nou horari)" || !after.Start.Equal(edited.Live.Start) {
		t.Errorf("after edit: %+v; want broadcast %s with the new title and start %s", after, bc.ID, edited.Live.Start)
	}
	if !strings.Contains(after.Description, "13:30") || strings.Contains(after.Description, "Queda't") {
		t.Errorf("after edit the description is not the new text:\n%s", after.Description)
	}

	if _, err := e.pub.Retract(context.Background(), "roda-premsa", "test"); err != nil {
		t.Fatal(err)
	}
	e.waitState("roda-premsa", 3, delivery.Retracted)
	if bs := e.broadcasts("roda-premsa"); len(bs) != 0 {
		t.Errorf("retracted announcement still scheduled: %+v", bs)
	}
	st := e.sb.Stats()
	if st.Inserts != 1 || st.Updates != 1 || st.Deletes != 1 {
		t.Errorf("sandbox saw %d inserts, %d updates, %d deletes; want 1 each", st.Inserts, st.Updates, st.Deletes)
	}
	if q := e.quota(svc.Channel()); q.Spent != 3*live.CostWrite || q.Spent != st.QuotaUsed {
		t.Errorf("worker counted %d units, sandbox charged %d; want %d both", q.Spent, st.QuotaUsed, 3*live.CostWrite)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"deliver delivered", "update delivered", "retract retracted"}; !slices.Equal(ops, want) {
		t.Errorf("observed outcomes %q, want %q", ops, want)
	}
}

func TestBulletinWithoutLiveIsSkippedAndDroppingLiveWithdrawsTheBroadcast(t *testing.T) {
	e := newEnv(t)
	e.worker(e.config(nil))

	plain := &bulletin.Bulletin{ID: "mercats", Title: "Mercats oberts", Lang: "ca", Group: "mercats",
		Channels: []string{bulletin.Telegram, bulletin.YouTube, bulletin.Web}, Body: "Els mercats obren."}
	e.publish(plain)
	rec := e.waitState("mercats", 1, delivery.Skipped)
	if !strings.Contains(rec.Error, "no live block") {
		t.Errorf("skip reason = %q, want it to say there is no live block", rec.Error)
	}
	if st := e.sb.Stats(); st.Requests != 0 || st.TokenGrants != 0 {
		t.Errorf("a bulletin without live cost %d API requests and %d tokens; want none", st.Requests, st.TokenGrants)
	}

	b := e.announcement("pla-xoc", "Pla de xoc", "Presentació del pla de xoc.")
	e.publish(b)
	e.waitState("pla-xoc", 1, delivery.Delivered)
	noLive := *b
	noLive.Live = nil
	e.publish(&noLive)
	rec = e.waitState("pla-xoc", 2, delivery.Skipped)
	if !strings.Contains(rec.Error, "withdrawn") || len(e.broadcasts("pla-xoc")) != 0 {
		t.Errorf("dropping the live block: record %q, %d broadcasts; want withdrawn and none", rec.Error, len(e.broadcasts("pla-xoc")))
	}
	// Putting it back schedules a broadcast anew.
	e.publish(e.announcement("pla-xoc", "Pla de xoc (ajornat)", "Presentació del pla de xoc."))
	rec = e.waitState("pla-xoc", 3, delivery.Delivered)
	if bc := e.only("pla-xoc"); bc.Title != "Pla de xoc (ajornat)" || rec.Ref.IDs[0] != bc.ID {
		t.Errorf("re-adding live: broadcast %+v, record ref %+v", bc, rec.Ref)
	}
}

func TestExpiredAccessTokenIsRefreshed(t *testing.T) {
	e := newEnv(t)
	e.worker(e.config(nil))

	e.publish(e.announcement("primer", "Primer avís", "U."))
	e.waitState("primer", 1, delivery.Delivered)
	if g := e.sb.Stats().TokenGrants; g != 1 {
		t.Fatalf("token grants = %d, want 1", g)
	}
	// An hour and more later the access token has expired: a new one is fetched first.
	e.clock.Advance(61 * time.Minute)
	e.publish(e.announcement("segon", "Segon avís", "Dos."))
	rec := e.waitState("segon", 1, delivery.Delivered)
	if g := e.sb.Stats().TokenGrants; g != 2 || rec.Attempts != 1 {
		t.Errorf("after expiry: %d grants, %d attempts; want 2 and 1", g, rec.Attempts)
	}
	// Google can also revoke a token before it expires: the 401 fetches a new one and
	// the call goes through in the same attempt.
	e.sb.ExpireTokens()
	e.publish(e.announcement("tercer", "Tercer avís", "Tres."))
	rec = e.waitState("tercer", 1, delivery.Delivered)
	if g := e.sb.Stats().TokenGrants; g != 3 || rec.Attempts != 1 {
		t.Errorf("after revocation: %d grants, %d attempts; want 3 and 1", g, rec.Attempts)
	}
	if n := len(e.sb.Broadcasts()); n != 3 {
		t.Errorf("%d broadcasts, want 3", n)
	}
}

func TestQuotaExhaustionParksDeliveriesUntilMidnightPacific(t *testing.T) {
	e := newEnv(t)
	pacific := sandbox.PacificZone()
	midnight := time.Date(2020, 3, 15, 0, 0, 0, 0, pacific)
	e.clock.Advance(midnight.Add(-3 * time.Second).Sub(e.clock.Now())) // 3 s before the reset
	svc, _, _ := e.worker(e.config(nil))
	e.sb.UseQuota(sandbox.DefaultDailyQuota - 60) // other clients spent the day's quota but 60 units

	e.publish(e.announcement("a-temps", "Arriba a temps", "Primer."))
	e.waitState("a-temps", 1, delivery.Delivered)
	e.publish(e.announcement("aparcat", "Aparcat fins a mitjanit", "Segon."))
	e.publish(e.announcement("darrere", "Espera el seu torn", "Tercer."))

	rec := e.waitState("aparcat", 1, delivery.Failed)
	if !strings.Contains(rec.Error, "quota") || !strings.Contains(rec.Error, "reset") {
		t.Errorf("parked record error = %q; want it to say the quota waits for the reset", rec.Error)
	}
	if !rec.NextAttempt.Equal(midnight) {
		t.Errorf("next attempt %s, want the reset at %s", rec.NextAttempt, midnight.UTC())
	}
	if !e.quota(svc.Channel()).Exhausted {
		t.Error("worker's quota account does not show the exhaustion")
	}
	e.clock.Advance(5 * time.Second) // midnight Pacific passes

	e.waitState("darrere", 1, delivery.Delivered)
	rec = e.waitState("aparcat", 1, delivery.Delivered)
	if rec.Attempts != 2 {
		t.Errorf("parked delivery took %d attempts, want 2 (one refused, one after the reset)", rec.Attempts)
	}
	if bc := e.only("aparcat"); bc.Published.Before(midnight) {
		t.Errorf("parked broadcast was made at %s, before the reset at %s", bc.Published, midnight)
	}
	st := e.sb.Stats()
	// insert a-temps; insert aparcat (refused); after the reset: list + insert aparcat, insert darrere.
	if st.Requests != 5 || st.Refused != 1 {
		t.Errorf("sandbox saw %d requests, %d refused; want 5 and 1: no call is burnt while parked", st.Requests, st.Refused)
	}
	if q := e.quota(svc.Channel()); q.Spent != st.QuotaUsed || q.Exhausted {
		t.Errorf("after reset the worker counts %d units (exhausted %v), sandbox %d", q.Spent, q.Exhausted, st.QuotaUsed)
	}
}

func TestInjected5xxAndResetsLoseNothingAndDuplicateNothing(t *testing.T) {
	e := newEnv(t)
	e.sb.Fail(
		sandbox.Fault{Kind: sandbox.Status, Code: 500, Token: true},
		sandbox.Fault{Kind: sandbox.Status, Code: 503, Op: "insert"},
		sandbox.Fault{Kind: sandbox.Reset, Op: "insert"},
		sandbox.Fault{Kind: sandbox.LoseAnswer, Op: "insert"},
		sandbox.Fault{Kind: sandbox.LoseAnswer, Op: "update"},
		sandbox.Fault{Kind: sandbox.Status, Code: 502, Op: "delete"},
	)
	e.worker(e.config(nil))
	ids := []string{"escoles", "biblioteques", "piscines"}
	for _, id := range ids {
		e.publish(e.announcement(id, "Tancament: "+id, "Tancat fins a nou avís."))
	}
	for _, id := range ids {
		e.waitState(id, 1, delivery.Delivered)
		e.only(id)
	}
	edited := e.announcement("escoles", "Tancament d'escoles prorrogat", "Prorrogat.")
	e.publish(edited)
	e.waitState("escoles", 2, delivery.Delivered)
	if bc := e.only("escoles"); bc.Title != "Tancament d'escoles prorrogat" {
		t.Errorf("edit lost to a lost answer: title %q", bc.Title)
	}
	if _, err := e.pub.Retract(context.Background(), "piscines", "test"); err != nil {
		t.Fatal(err)
	}
	e.waitState("piscines", 2, delivery.Retracted)
	if n := len(e.broadcasts("piscines")); n != 0 {
		t.Errorf("retraction lost to a 502: %d broadcasts left", n)
	}
	if n := e.sb.Pending(); n != 0 {
		t.Errorf("%d injected faults never struck", n)
	}
	if n := len(e.sb.Broadcasts()); n != 2 {
		t.Errorf("%d broadcasts, want 2", n)
	}
}

func TestWorkerKilledBetweenInsertAndRecordMakesNoSecondBroadcast(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(nil)
	_, _, kill := e.worker(cfg)
	entered, release := make(chan string, 1), make(chan struct{})
	e.sb.AfterWrite(func(op, id string) {
		if op == "insert" {
			entered <- id
			<-release
		}
	})
	e.publish(e.announcement("toc-de-queda", "Toc de queda", "A partir de les 22 h."))
	var made string
	select {
	case made = <-entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker never inserted the broadcast")
	}
	kill() // the broadcast exists on YouTube; the record does not say so
	e.sb.AfterWrite(nil)
	close(release)

	e.worker(cfg) // another replica takes over once the bus gives up on the dead one
	rec := e.waitState("toc-de-queda", 1, delivery.Delivered)
	if bc := e.only("toc-de-queda"); bc.ID != made || rec.Ref.IDs[0] != made {
		t.Errorf("recovered record points at %v, broadcast %s; want the one made before the crash, %s", rec.Ref.IDs, bc.ID, made)
	}
	if st := e.sb.Stats(); st.Inserts != 1 || st.Lists == 0 {
		t.Errorf("sandbox saw %d inserts and %d lists; want 1 insert and a look-up before any other", st.Inserts, st.Lists)
	}
}

func TestRefusalsArePermanentWithTheReason(t *testing.T) {
	e := newEnv(t)
	e.worker(e.config(nil))
	long := strings.Repeat("Lleida ", 15) // 105 characters
	tests := []struct {
		name, id, title, body string
		start                 time.Duration // from now; 0 means two days ahead
		fault                 *sandbox.Fault
		want                  string
	}{
		{name: "title_over_100_characters", id: "titol-llarg", title: long, want: "105 characters"},
		{name: "title_with_angle_brackets", id: "titol-html", title: "Roda <b>urgent</b>", want: "live: title: contains < or >"},
		{name: "body_with_angle_brackets", id: "cos-html", title: "Avís", body: "Porta <mascareta> sempre.", want: "body: line 1"},
		{name: "start_in_the_past", id: "passat", title: "Ja ha passat", start: -time.Hour, want: "not in the future"},
		{name: "api_refuses_with_its_reason", id: "sense-permis", title: "Sense permís",
			fault: &sandbox.Fault{Kind: sandbox.Status, Code: 403, Reason: "insufficientLivePermissions", Op: "insert"},
			want:  "403 insufficientLivePermissions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.sb.Stats().Requests
			if tc.fault != nil {
				e.sb.Fail(*tc.fault)
			}
			b := e.announcement(tc.id, tc.title, tc.body)
			if tc.start != 0 {
				b.Live.Start = e.clock.Now().Add(tc.start)
			}
			e.publish(b)
			rec := e.waitState(tc.id, 1, delivery.Dead)
			if !strings.Contains(rec.Error, tc.want) || rec.Attempts != 1 {
				t.Errorf("dead after %d attempts with %q; want 1 attempt and %q", rec.Attempts, rec.Error, tc.want)
			}
			if calls := e.sb.Stats().Requests - before; tc.fault == nil && calls != 0 {
				t.Errorf("%d API calls for content YouTube would refuse; want none", calls)
			}
		})
	}
}

func TestAnnouncementAtTheLimitsIsDeliveredWhole(t *testing.T) {
	e := newEnv(t)
	e.worker(e.config(nil))
	title := pad("Roda de premsa 🎙️ del paer en cap: l'evolució de la COVID-19 a Lleida 🦠", ytfields.MaxTitleChars)
	body := strings.Repeat("La Paeria recorda que cal quedar-se a casa i rentar-se les mans sovint. 🧼 ", 120) // ~9 KB
	b := e.announcement("al-limit", title, body)
	e.publish(b)
	e.waitState("al-limit", 1, delivery.Delivered)
	bc := e.only("al-limit")
	if bc.Title != title {
		t.Errorf("title changed on the way: %q", bc.Title)
	}
	if len(bc.Description) > ytfields.MaxDescriptionBytes ||
		!strings.Contains(bc.Description, ytfields.Ellipsis+"\n\n"+webBase+"/bulletins/al-limit") {
		t.Errorf("long body not shortened with an ellipsis before the link (%d bytes):\n…%s", len(bc.Description),
			bc.Description[max(0, len(bc.Description)-200):])
	}
}

func TestEditOfABroadcastDeletedOnYouTubeSchedulesItAnew(t *testing.T) {
	e := newEnv(t)
	e.worker(e.config(nil))
	b := e.announcement("ple", "Ple municipal", "Sessió telemàtica.")
	e.publish(b)
	first := e.waitState("ple", 1, delivery.Delivered).Ref.IDs[0]
	if !e.sb.Remove(first) {
		t.Fatal("broadcast not in the sandbox")
	}
	edited := *b
	edited.Body = "Sessió telemàtica, amb preguntes de la ciutadania."
	e.publish(&edited)
	rec := e.waitState("ple", 2, delivery.Delivered)
	bc := e.only("ple")
	if bc.ID == first || rec.Ref.IDs[0] != bc.ID || !strings.Contains(bc.Description, "ciutadania") {
		t.Errorf("after deletion on YouTube: record %v, broadcast %+v; want a new broadcast with the edit", rec.Ref.IDs, bc)
	}
}

func pad(s string, n int) string {
	for utf8.RuneCountInString(s) < n {
		s += "·"
	}
	return s
}
