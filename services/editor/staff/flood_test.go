package staff_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
)

// badToken sends one API request with a token that does not exist, from remote.
func (e *env) badToken(remote string) int {
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/bulletins", nil)
	req.Header.Set("Authorization", "Bearer pgt_not-a-real-token")
	req.Header.Set(remoteHeader, remote)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Error(err)
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// A thousand bad tokens from one address are one audit event with a count (two, as the
// minute turns), and the real events stay in the audit view.
func TestAFloodOfBadTokensIsOneAuditEventPerSourceAndMinute(t *testing.T) {
	e := newEnv(t)
	stop := e.background()
	e.loggedIn("anna", accounts.Publisher) // a real event, before the flood
	const flood, attacker = 1000, "203.0.113.66:4444"
	var wg sync.WaitGroup
	statuses := make(chan int, flood)
	work := make(chan struct{})
	for range 16 {
		wg.Go(func() {
			for range work {
				statuses <- e.badToken(attacker)
			}
		})
	}
	for range flood - 1 {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusUnauthorized {
			t.Fatalf("a bad token answered %d, want 401", st)
		}
	}
	e.clock.Add(time.Minute)
	e.badToken(attacker) // the next minute's first: the last minute is written now
	stop()               // and this one at shutdown

	got := e.audited(audit.TokenRefused)
	if len(got) != 2 {
		t.Fatalf("%d token_refused events, want 2: %+v", len(got), got)
	}
	if got[1].Count != flood-1 || got[0].Count != 1 || got[1].Remote != "203.0.113.66" || got[1].At != t0 {
		t.Errorf("events: %+v", got)
	}
	view, err := e.svc.Audit.Recent(t.Context(), 500) // what the audit page shows
	if err != nil {
		t.Fatal(err)
	}
	if len(view) > 5 {
		t.Errorf("the audit view holds %d events after the flood, want a handful", len(view))
	}
	if logins := e.audited(audit.Login); len(logins) != 1 || logins[0].Actor != "anna" {
		t.Errorf("the real login is gone from the audit view: %+v", logins)
	}
}
