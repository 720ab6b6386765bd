package staff_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// The live stream ends with its session: logout, expiry, the account's removal, an
// administrator's reset; it says "ended" so the page's script stops.
func TestLiveStreamEndsWithItsSession(t *testing.T) {
	tests := []struct {
		name string
		end  func(e *env, anna *browser)
	}{
		{"logout", func(_ *env, anna *browser) { anna.post("/logout", nil) }},
		{"idle expiry", func(e *env, _ *browser) { e.clock.Add(e.cfg.SessionIdle + time.Minute) }},
		{"account removed", func(e *env, _ *browser) { e.adminPost("/admin/users/anna/remove") }},
		{"second factor reset", func(e *env, _ *browser) { e.adminPost("/admin/users/anna/reset-totp") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			anna := e.loggedIn("anna", accounts.Writer)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/events", nil)
			res, err := anna.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("events: %d", res.StatusCode)
			}
			lines := make(chan string)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(res.Body)
				for sc.Scan() {
					lines <- sc.Text()
				}
			}()
			time.Sleep(150 * time.Millisecond) // a few checks pass while the session lives
			tt.end(e, anna)
			var got []string
			for l := range lines {
				got = append(got, l)
			}
			if ctx.Err() != nil || !strings.Contains(strings.Join(got, "\n"), "event: ended") {
				t.Errorf("stream after %s: %q (timed out: %v)", tt.name, got, ctx.Err() != nil)
			}
			if r := anna.get("/events"); r.status != http.StatusUnauthorized {
				t.Errorf("reconnect after %s: %d", tt.name, r.status)
			}
		})
	}
}

// adminPost posts as a new administrator, ada.
func (e *env) adminPost(path string) {
	e.t.Helper()
	if r := e.loggedIn("ada", accounts.Admin).post(path, url.Values{}); r.status != http.StatusOK {
		e.t.Fatalf("POST %s: %d", path, r.status)
	}
}
