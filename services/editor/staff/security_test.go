package staff_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/ui"
	"github.com/paeria/pregoner/shared/bus"
)

const avis = "---\nid: avis\ntitle: Avís\n---\nLes biblioteques tanquen.\n"

func TestNoPageOrAPIWithoutLoginAndSecondFactor(t *testing.T) {
	e := newEnv(t)
	secret := e.user("anna", accounts.Publisher)
	b := e.browser()
	for _, path := range []string{"/", "/compose", "/audit", "/admin", "/bulletins/avis", "/bulletins/avis/edit", "/drafts/avis"} {
		r := b.get(path)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s without login: %d %s, want a redirect to the login page", path, r.status, r.header.Get("Location"))
		}
	}
	if r := b.get("/events"); r.status != http.StatusUnauthorized {
		t.Errorf("GET /events without login: %d", r.status)
	}
	for _, path := range []string{"/preview", "/bulletins/avis/retract", "/bulletins/avis/retry", "/admin/tokens", "/admin/users"} {
		if r := b.post(path, url.Values{"channel": {"telegram"}, "name": {"x"}}); r.status != http.StatusUnauthorized {
			t.Errorf("POST %s without login: %d, want 401", path, r.status)
		}
	}
	if st, body := e.apiCall("", "GET", "/api/bulletins", "", ""); st != http.StatusUnauthorized || body["error"] == nil {
		t.Errorf("API without token: %d %v", st, body)
	}

	// The password alone, or with a wrong code, opens nothing.
	for _, code := range []string{"", "000000", "12345"} {
		r := b.login("anna", password, code)
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "The name, password or code is not right") {
			t.Errorf("login with code %q: %d", code, r.status)
		}
		if r.header.Get("Set-Cookie") != "" {
			t.Errorf("login with code %q set a cookie", code)
		}
	}
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("after password-only logins, GET / = %d", r.status)
	}
	// Both factors let her in, with a host-only, secure, script-proof cookie.
	r := b.login("anna", password, e.code(secret))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("login: %d %q", r.status, r.header.Get("Location"))
	}
	res := http.Response{Header: r.header}
	cookies := res.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies: %v", r.header["Set-Cookie"])
	}
	c := cookies[0]
	if c.Name != ui.CookieName || !strings.HasPrefix(c.Name, "__Host-") || !c.Secure || !c.HttpOnly ||
		c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
		t.Errorf("session cookie = %+v", c)
	}
	if r := b.get("/"); r.status != http.StatusOK || !strings.Contains(r.body, "anna (publisher)") {
		t.Errorf("GET / logged in: %d", r.status)
	}
	if got := e.audited(audit.Login); len(got) != 1 || got[0].Actor != "anna" || !got[0].OK {
		t.Errorf("audit logins: %+v", got)
	}
	if got := e.audited(audit.LoginFailed); len(got) != 3 {
		t.Errorf("audit failed logins: %d, want 3", len(got))
	}
}

func TestReplayedTOTPCodeIsRefused(t *testing.T) {
	e := newEnv(t)
	secret := e.user("anna", accounts.Publisher)
	code := e.code(secret)
	if r := e.browser().login("anna", password, code); r.status != http.StatusSeeOther {
		t.Fatalf("first login: %d", r.status)
	}
	e.clock.Add(10 * time.Second) // same 30-second step: the app still shows this code
	r := e.browser().login("anna", password, code)
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "each code works once") {
		t.Errorf("replayed code: %d, want 401 with a hint", r.status)
	}
	e.clock.Add(30 * time.Second)
	if r := e.browser().login("anna", password, e.code(secret)); r.status != http.StatusSeeOther {
		t.Errorf("next code: %d", r.status)
	}
	if got := e.audited(audit.LoginFailed); len(got) != 1 || got[0].Actor != "anna" {
		t.Errorf("audit: %+v", got)
	}
}

func TestFailedLoginsAreSlowedDown(t *testing.T) {
	e := newEnv(t)
	e.cfg.FailDelay = 300 * time.Millisecond
	e.start()
	e.user("anna", accounts.Publisher)
	start := time.Now()
	e.browser().login("anna", "wrong password!", "123456")
	if d := time.Since(start); d < e.cfg.FailDelay {
		t.Errorf("a failed login answered after %s, before the %s delay", d, e.cfg.FailDelay)
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	e := newEnv(t)
	b := e.loggedIn("anna", accounts.Publisher)
	if r := b.do("POST", "/compose", url.Values{"action": {"publish"}, "id": {"avis"}, "title": {"Avís"}, "channels": {"web"}, "body": {"Text."}, "new": {"1"}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("same-origin publish: %d %s", r.status, r.body)
	}
	evil := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	r := b.do("POST", "/bulletins/avis/retract", url.Values{}, evil)
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "came from another site") {
		t.Errorf("cross-origin retract: %d %s", r.status, r.body)
	}
	latest, _, err := e.pub.Latest(context.Background(), "avis")
	if err != nil || latest.Action == "retract" {
		t.Errorf("the bulletin was retracted by a cross-origin post: %+v %v", latest, err)
	}
	// An old browser without Sec-Fetch-Site is judged by its Origin.
	if r := b.do("POST", "/bulletins/avis/retract", url.Values{}, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": ""}); r.status != http.StatusForbidden {
		t.Errorf("cross-origin retract by Origin: %d", r.status)
	}
	if r := b.do("POST", "/login", url.Values{"name": {"anna"}}, evil); r.status != http.StatusForbidden {
		t.Errorf("cross-origin login: %d", r.status)
	}
}

func TestWriterCannotPublishButKeepsTheText(t *testing.T) {
	e := newEnv(t)
	b := e.loggedIn("walter", accounts.Writer)
	form := url.Values{"action": {"publish"}, "id": {"avis"}, "title": {"Avís"}, "lang": {"ca"}, "channels": {"telegram", "web"}, "body": {"Les biblioteques tanquen avui."}, "new": {"1"}}
	r := b.post("/compose", form)
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "that needs the publisher role") {
		t.Errorf("writer publish: %d", r.status)
	}
	if !strings.Contains(r.body, "Les biblioteques tanquen avui.") {
		t.Error("the refused page lost the writer's text")
	}
	if _, _, err := e.pub.Latest(context.Background(), "avis"); !errors.Is(err, bus.ErrNotFound) {
		t.Errorf("a writer's bulletin reached the bus: %v", err)
	}
	for _, path := range []string{"/bulletins/avis/retract", "/admin/tokens"} {
		if r := b.post(path, url.Values{"name": {"x"}, "role": {"admin"}}); r.status != http.StatusForbidden {
			t.Errorf("writer POST %s: %d", path, r.status)
		}
	}
	form.Set("action", "draft")
	if r := b.post("/compose", form); r.status != http.StatusOK || !strings.Contains(r.body, "Draft saved") {
		t.Errorf("writer saves a draft: %d", r.status)
	}
	if got := e.audited(audit.Denied); len(got) != 3 || got[len(got)-1].Actor != "walter" || got[len(got)-1].Detail != "publish" {
		t.Errorf("audit of refusals: %+v", got)
	}
	// A publisher finds the draft in the list and publishes it.
	p := e.loggedIn("pau", accounts.Publisher)
	if r := p.get("/"); !strings.Contains(r.body, `href="/drafts/avis/`) {
		t.Errorf("the draft is not in the list")
	}
	form.Set("action", "publish")
	if r := p.post("/compose", form); r.status != http.StatusSeeOther {
		t.Errorf("publisher publishes the draft: %d %s", r.status, r.body)
	}
}

func TestSessionsExpireWhenIdleAndAfterTheMaximum(t *testing.T) {
	e := newEnv(t)
	b := e.loggedIn("anna", accounts.Publisher)
	e.clock.Add(e.cfg.SessionIdle - time.Minute)
	if r := b.get("/"); r.status != http.StatusOK {
		t.Fatalf("within idle time: %d", r.status)
	}
	e.clock.Add(e.cfg.SessionIdle + time.Second)
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("after idle time: %d, want the login page", r.status)
	}

	// Whatever was being written when the session ended comes back, not lost.
	r := b.post("/compose", url.Values{"action": {"publish"}, "id": {"tard"}, "title": {"Tard"}, "body": {"Un text llarg que no es pot perdre."}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Un text llarg que no es pot perdre.") || !strings.Contains(r.body, "Your session has ended") {
		t.Errorf("compose after expiry: %d, want the text back with a way to log in", r.status)
	}
	if strings.Contains(r.body, "preview-web\"><p>") {
		t.Error("a preview was rendered without a session")
	}

	e.clock.Add(time.Minute)
	b = e.loggedIn("bea", accounts.Publisher)
	// A busy member (a page every quarter of an hour) stays in until the maximum...
	step := e.cfg.SessionIdle / 2
	elapsed := time.Duration(0)
	for elapsed+step <= e.cfg.SessionMax {
		e.clock.Add(step)
		elapsed += step
		if r := b.get("/"); r.status != http.StatusOK {
			t.Fatalf("busy session after %s: %d", elapsed, r.status)
		}
	}
	// ...and not a quarter of an hour longer.
	e.clock.Add(step)
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("after the maximum: %d, want the login page", r.status)
	}
}

func TestLoginRotatesTheSessionAndLogoutEndsIt(t *testing.T) {
	e := newEnv(t)
	secret := e.user("anna", accounts.Publisher)
	b := e.browser()
	u, _ := url.Parse(e.srv.URL)
	planted := &http.Cookie{Name: ui.CookieName, Value: "planted-by-an-attacker", Path: "/", Secure: true}
	b.client.Jar.SetCookies(u, []*http.Cookie{planted})
	b.login("anna", password, e.code(secret))
	cs := b.client.Jar.Cookies(u)
	if len(cs) != 1 || cs[0].Value == planted.Value || len(cs[0].Value) < 40 {
		t.Fatalf("cookie after login: %v", cs)
	}
	old := cs[0].Value
	if r := b.post("/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	// The old id is dead on the server, not only forgotten by the browser.
	c := e.browser()
	c.client.Jar.SetCookies(u, []*http.Cookie{{Name: ui.CookieName, Value: old, Path: "/", Secure: true}})
	if r := c.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("a logged-out session still works: %d", r.status)
	}
	if got := e.audited(audit.Logout); len(got) != 1 {
		t.Errorf("audit logouts: %+v", got)
	}
}

func TestRevokedAPITokenStopsWorking(t *testing.T) {
	e := newEnv(t)
	stopBackground := e.background()
	admin := e.loggedIn("ada", accounts.Admin)
	r := admin.post("/admin/tokens", url.Values{"name": {"scripts"}, "scope": {"publish"}, "days": {"90"}})
	i := strings.Index(r.body, `id="new-token">`)
	if r.status != http.StatusOK || i < 0 {
		t.Fatalf("create token: %d", r.status)
	}
	token := r.body[i+len(`id="new-token">`):]
	token = token[:strings.Index(token, "<")]
	st, body := e.apiCall(token, "POST", "/api/bulletins", "text/markdown", avis)
	if st != http.StatusCreated {
		t.Fatalf("publish with token: %d %v", st, body)
	}
	if r := admin.post("/admin/tokens/scripts/revoke", nil); r.status != http.StatusOK || !strings.Contains(r.body, "stopped working") {
		t.Fatalf("revoke: %d", r.status)
	}
	st, body = e.apiCall(token, "POST", "/api/bulletins/avis/retract", "", "")
	if st != http.StatusUnauthorized || body["error"].(map[string]any)["code"] != "invalid_token" {
		t.Errorf("revoked token: %d %v", st, body)
	}
	if got := e.audited(audit.TokenCreate); len(got) != 1 || got[0].Target != "scripts" || got[0].Actor != "ada" {
		t.Errorf("audit token_create: %+v", got)
	}
	if got := e.audited(audit.TokenRevoke); len(got) != 1 || got[0].Target != "scripts" {
		t.Errorf("audit token_revoke: %+v", got)
	}
	if got := e.audited(audit.Publish); len(got) != 1 || got[0].Actor != "token:scripts" || got[0].Via != "api" {
		t.Errorf("audit publish: %+v", got)
	}
	stopBackground() // refused tokens are counted per minute, and written at shutdown
	if got := e.audited(audit.TokenRefused); len(got) != 1 || got[0].Via != "api" || got[0].Count != 1 {
		t.Errorf("audit refused token: %+v", got)
	}
	// No secret in the audit log.
	all, _ := e.svc.Audit.Recent(context.Background(), 100)
	for _, ev := range all {
		if strings.Contains(ev.Detail+ev.Target+ev.Actor, token[:12]) {
			t.Errorf("the token leaked into the audit log: %+v", ev)
		}
	}
}

func TestAdminAddsAndRemovesAccountsAndOnlyAdminsMay(t *testing.T) {
	e := newEnv(t)
	admin := e.loggedIn("ada", accounts.Admin)
	pub := e.loggedIn("pau", accounts.Publisher)
	if r := pub.get("/admin"); r.status != http.StatusForbidden || !strings.Contains(r.body, "needs the admin role") {
		t.Errorf("publisher opens /admin: %d", r.status)
	}
	if r := pub.post("/admin/users", url.Values{"name": {"x"}, "role": {"admin"}, "password": {password}}); r.status != http.StatusForbidden {
		t.Errorf("publisher adds an admin: %d", r.status)
	}
	r := admin.post("/admin/users", url.Values{"name": {"Nuria"}, "role": {"writer"}, "password": {"too short"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "at least 12 characters") || !strings.Contains(r.body, `value="nuria"`) {
		t.Errorf("short password: %d %s", r.status, r.body)
	}
	r = admin.post("/admin/users", url.Values{"name": {"Nuria"}, "role": {"writer"}, "password": {password}})
	i := strings.Index(r.body, "otpauth://totp/")
	if r.status != http.StatusOK || i < 0 || !strings.Contains(r.body, "<svg") {
		t.Fatalf("add user: %d", r.status)
	}
	uri, err := url.Parse(strings.ReplaceAll(r.body[i:i+strings.Index(r.body[i:], "<")], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	nuria := e.browser()
	if r := nuria.login("nuria", password, e.code(uri.Query().Get("secret"))); r.status != http.StatusSeeOther {
		t.Fatalf("the new account logs in with the QR code's secret: %d", r.status)
	}
	if r := admin.post("/admin/users/nuria/remove", nil); r.status != http.StatusOK {
		t.Fatalf("remove: %d", r.status)
	}
	if r := nuria.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("a removed account's session still works: %d", r.status)
	}
	if r := admin.post("/admin/users/ada/remove", nil); r.status != http.StatusUnprocessableEntity {
		t.Errorf("an admin removes herself: %d", r.status)
	}
	if got := e.audited(audit.UserAdd); len(got) != 2 || !got[0].OK || got[1].OK {
		t.Errorf("audit user_add: %+v", got)
	}
	if got := e.audited(audit.UserRemove); len(got) != 2 || got[1].Target != "nuria" || !got[1].OK {
		t.Errorf("audit user_remove: %+v", got)
	}
	if got := e.audited(audit.Denied); len(got) != 2 || got[0].Actor != "pau" {
		t.Errorf("audit denied: %+v", got)
	}
}

func TestAPasswordTypedAsTheNameNeverReachesTheAuditLog(t *testing.T) {
	e := newEnv(t)
	e.user("anna", accounts.Publisher)
	e.browser().login("my secret passphrase", "", "123456")
	got := e.audited(audit.LoginFailed)
	if len(got) != 1 || got[0].Actor != "(unknown account)" {
		t.Errorf("audit: %+v", got)
	}
}

func TestOneCodeOpensOneSessionEvenWhenSentManyTimesAtOnce(t *testing.T) {
	e := newEnv(t)
	secret := e.user("anna", accounts.Publisher)
	code := e.code(secret)
	results := make(chan int, 6)
	for range 6 {
		go func() { results <- e.browser().login("anna", password, code).status }()
	}
	ok := 0
	for range 6 {
		if <-results == http.StatusSeeOther {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("%d logins succeeded with one code, want 1", ok)
	}
}

func TestACodeIsAcceptedOnlyAroundItsOwnTime(t *testing.T) {
	e := newEnv(t)
	secret := e.user("anna", accounts.Publisher)
	tests := []struct {
		name   string
		offset time.Duration // when the code was shown, relative to the login
		ok     bool
	}{
		{"two_steps_old", -60 * time.Second, false},
		{"from_a_phone_20s_slow", -20 * time.Second, true},
		{"two_steps_ahead", 90 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Add(2 * time.Minute) // a fresh step, after any earlier accepted code
			code, err := accounts.Code(secret, e.clock.Now().Add(tt.offset))
			if err != nil {
				t.Fatal(err)
			}
			r := e.browser().login("anna", password, code)
			if (r.status == http.StatusSeeOther) != tt.ok {
				t.Errorf("login with a code %s off: %d, want ok %v", tt.offset, r.status, tt.ok)
			}
		})
	}
}
