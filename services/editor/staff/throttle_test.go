package staff_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// answer is what a client can see of a response, but for what differs anyway: the
// Date, and the name the login page echoes back into its form.
type answer struct {
	status int
	body   string
	header http.Header
}

func seen(status int, body string, header http.Header, typedName string) answer {
	h := header.Clone()
	h.Del("Date")
	h.Del("Content-Length") // follows the echoed name's length; the body is compared
	if typedName != "" {
		body = strings.ReplaceAll(body, `value="`+typedName+`"`, `value="NAME"`)
	}
	return answer{status, body, h}
}

// apiLoginFrom sends POST /api/login from remote and returns everything it answers.
func (e *env) apiLoginFrom(remote, name, pw, code string) answer {
	e.t.Helper()
	body := fmt.Sprintf(`{"name": %q, "password": %q, "code": %q}`, name, pw, code)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(remoteHeader, remote)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return seen(res.StatusCode, string(data), res.Header, "")
}

// An unknown name, a wrong password, an account that must wait and an address that
// must wait: the login page and the API answer each alike, so none tells a guesser
// which names exist or which are being guessed.
func TestFailedLoginsAreAnsweredAlike(t *testing.T) {
	e := newEnv(t)
	anna := e.user("anna", accounts.Publisher)
	e.user("bea", accounts.Publisher)
	carla := e.user("carla", accounts.Publisher)
	// anna's account must wait: her failures come from many addresses.
	for i := range e.cfg.FreeFailures + 1 {
		e.browser().loginFrom(fmt.Sprintf("198.51.100.%d:1000", i+1), "anna", "wrong password!", "000000")
	}
	// 203.0.113.9 must wait: it guessed unknown names.
	for range e.cfg.FreeFailures + 1 {
		e.browser().loginFrom("203.0.113.9:2000", "nobody", "wrong password!", "000000")
	}
	cases := []struct {
		name, remote, user, pw, code string
	}{
		{"unknown_name", "192.0.2.1:1", "nobody", password, "123456"},
		{"wrong_password", "192.0.2.2:1", "bea", "wrong password!", "123456"},
		{"account_waiting_right_login", "192.0.2.3:1", "anna", password, e.code(anna)},
		{"address_waiting_right_login", "203.0.113.9:3000", "carla", password, e.code(carla)},
	}
	var ui0, api0 answer
	for i, c := range cases {
		r := e.browser().loginFrom(c.remote, c.user, c.pw, c.code)
		ui := seen(r.status, r.body, r.header, c.user)
		api := e.apiLoginFrom(c.remote, c.user, c.pw, c.code)
		if ui.status != http.StatusUnauthorized || api.status != http.StatusUnauthorized {
			t.Errorf("%s: login page %d, API %d; want 401 both", c.name, ui.status, api.status)
		}
		if i == 0 {
			ui0, api0 = ui, api
			continue
		}
		if ui.body != ui0.body || fmt.Sprint(ui.header) != fmt.Sprint(ui0.header) {
			t.Errorf("%s: the login page answers unlike %s:\n%v\n%v", c.name, cases[0].name, ui.header, ui0.header)
		}
		if api.body != api0.body || fmt.Sprint(api.header) != fmt.Sprint(api0.header) {
			t.Errorf("%s: the API answers unlike %s: %s %v / %s %v", c.name, cases[0].name, api.body, api.header, api0.body, api0.header)
		}
	}
	// The audit log, not the answer, says which it was.
	var refused int
	for _, ev := range e.audited("login_failed") {
		if strings.Contains(ev.Detail, "refused unchecked") {
			refused++
		}
	}
	if refused != 4 {
		t.Errorf("%d refusals in the audit log, want 4 (two waits, two doors)", refused)
	}
}

// Each failure beyond the free ones doubles the account's wait, up to the cap, and
// never more: the right login gets in once the wait is over, and a success ends the run.
func TestAnAccountsFailuresWaitLongerAndLongerButNeverLock(t *testing.T) {
	e := newEnv(t)
	secret := e.user("anna", accounts.Publisher)
	addr := 0
	from := func() string { addr++; return fmt.Sprintf("198.51.100.%d:4000", addr) } // the address never waits
	tests := []struct {
		failure int
		wait    time.Duration
	}{
		{1, 0}, {2, 0}, {3, 0}, {4, 2 * time.Second}, {5, 4 * time.Second}, {6, 8 * time.Second},
		{7, 16 * time.Second}, {8, 32 * time.Second}, {9, time.Minute}, {10, time.Minute}, {30, time.Minute},
	}
	done := 0
	for _, tt := range tests {
		for done < tt.failure {
			e.clock.Add(time.Minute) // any earlier wait is over
			if r := e.browser().loginFrom(from(), "anna", "wrong password!", e.code(secret)); r.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", done+1, r.status)
			}
			done++
		}
		if tt.wait > 0 {
			e.clock.Add(tt.wait - time.Second)
			if r := e.browser().loginFrom(from(), "anna", password, e.code(secret)); r.status != http.StatusUnauthorized {
				t.Errorf("after failure %d, the right login 1s before its %s wait: %d, want refused", tt.failure, tt.wait, r.status)
			}
			e.clock.Add(time.Second)
		}
	}
	e.clock.Add(30 * time.Second) // a fresh code, and the 1m wait is over
	if r := e.browser().loginFrom(from(), "anna", password, e.code(secret)); r.status != http.StatusSeeOther {
		t.Fatalf("the right login after the longest wait: %d", r.status)
	}
	u, err := e.svc.Accounts.User(context.Background(), "anna")
	if err != nil || u.Failures != 0 || !u.NotBefore.IsZero() {
		t.Errorf("after a success: %+v %v; want the run ended", u, err)
	}
}

// An address that keeps failing waits, whichever names it tries; other addresses
// do not wait for it, and it gets in again once its wait is over.
func TestAnAddressThatKeepsFailingWaits(t *testing.T) {
	e := newEnv(t)
	secret := e.user("anna", accounts.Publisher)
	const guesser = "203.0.113.7:5000"
	for i := range e.cfg.FreeFailures + 2 {
		e.browser().loginFrom(guesser, fmt.Sprintf("nobody%d", i), "wrong password!", "000000")
	}
	// Another port of the same machine is the same address.
	if r := e.browser().loginFrom("203.0.113.7:5001", "anna", password, e.code(secret)); r.status != http.StatusUnauthorized {
		t.Errorf("the right login from the waiting address: %d, want refused", r.status)
	}
	if r := e.browser().loginFrom("192.0.2.50:6000", "anna", password, e.code(secret)); r.status != http.StatusSeeOther {
		t.Errorf("the right login from another address: %d", r.status)
	}
	e.clock.Add(2 * e.cfg.Backoff) // the wait after FreeFailures+2, and a fresh code
	e.clock.Add(30 * time.Second)
	if r := e.browser().loginFrom(guesser, "anna", password, e.code(secret)); r.status != http.StatusSeeOther {
		t.Errorf("the right login from the address after its wait: %d", r.status)
	}
}
