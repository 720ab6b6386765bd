package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// The editor attacked from outside: the first-run link, the login, sessions, cross-site
// forms, the API's tokens and roles, oversized requests. Accounts are made the way the
// staff make them (the first-run link, then the API), and each attack comes from a
// loopback address of its own, so one's failed logins do not throttle another's.

const form = "application/x-www-form-urlencoded"

func firstRunToken(t *testing.T, tg *target) string {
	t.Helper()
	m := regexp.MustCompile(`/first-run/([A-Za-z0-9_-]{43})`).FindStringSubmatch(tg.logs.String())
	if m == nil {
		t.Fatal("no first-run link in the log")
	}
	return m[1]
}

// code is the TOTP code of secret steps periods from now.
func code(t *testing.T, secret string, steps int) string {
	t.Helper()
	c, err := accounts.Code(secret, time.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// member is an account the test made, with its second factor and API login token.
type member struct{ name, password, secret, token string }

// apiLogin logs m in through the API; a code is good once, so on a refusal it tries
// the next period's (within the editor's skew).
func apiLogin(t *testing.T, tg *target, m *member, from string) {
	t.Helper()
	c := client(from)
	for _, step := range []int{0, 1} {
		body, _ := json.Marshal(map[string]string{"name": m.name, "password": m.password, "code": code(t, m.secret, step)})
		resp, out := do(t, c, request(t, "POST", tg.editor+"/api/login", string(body), "Content-Type", "application/json"))
		var got struct{ Token string }
		if resp.StatusCode == http.StatusCreated && json.Unmarshal([]byte(out), &got) == nil && got.Token != "" {
			m.token = got.Token
			return
		}
	}
	t.Fatalf("%s cannot log in through the API", m.name)
}

// addMember has the administrator adm add an account through the API.
func addMember(t *testing.T, tg *target, adm *member, name string, role accounts.Role) *member {
	t.Helper()
	m := &member{name: name, password: "a-long-password-" + name}
	body, _ := json.Marshal(map[string]string{"name": name, "role": string(role), "password": m.password})
	resp, out := do(t, client("127.0.0.1"), request(t, "POST", tg.editor+"/api/users", string(body),
		"Content-Type", "application/json", "Authorization", "Bearer "+adm.token))
	var got struct {
		URI string `json:"totp_uri"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("add %s: %d %s", name, resp.StatusCode, out)
	}
	u, err := url.Parse(got.URI)
	if err != nil {
		t.Fatal(err)
	}
	m.secret = u.Query().Get("secret")
	return m
}

func TestAttackEditor(t *testing.T) {
	tg := startTarget(t)
	c := client("127.0.0.1")
	token := firstRunToken(t, tg)
	anna := &member{name: "anna", password: "correct-horse-battery"}
	var annaSession *http.Cookie
	choose := url.Values{"name": {anna.name}, "password": {anna.password}, "again": {anna.password}}.Encode()

	t.Run("first-run link", func(t *testing.T) {
		guess := "A" + token[1:] // one character off the real link
		if token[0] == 'A' {
			guess = "B" + token[1:]
		}
		for _, req := range []*http.Request{request(t, "GET", tg.editor+"/first-run/"+guess, ""),
			request(t, "POST", tg.editor+"/first-run/"+guess, choose, "Content-Type", form),
			request(t, "POST", tg.editor+"/first-run/"+guess+"/confirm", "code=123456", "Content-Type", form)} {
			if resp, _ := do(t, c, req); resp.StatusCode != http.StatusGone {
				t.Errorf("%s a guessed link: %d; want 410", req.Method, resp.StatusCode)
			}
		}
		resp, _ := do(t, c, request(t, "POST", tg.editor+"/first-run/"+token, choose, "Content-Type", form,
			"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"))
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-site post of the first-run form: %d; want 403", resp.StatusCode)
		}
		resp, page := do(t, c, request(t, "POST", tg.editor+"/first-run/"+token, choose, "Content-Type", form))
		m := regexp.MustCompile(`id="totp-secret"[^>]*>([A-Z2-7 ]+)<`).FindStringSubmatch(page)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("the real link's first step: %d, no secret shown", resp.StatusCode)
		}
		anna.secret = strings.ReplaceAll(m[1], " ", "")
		var cookie *http.Cookie
		defer func() { annaSession = cookie }()
		for _, step := range []int{-1, 0, 1} {
			resp, _ := do(t, c, request(t, "POST", tg.editor+"/first-run/"+token+"/confirm", "code="+code(t, anna.secret, step), "Content-Type", form))
			if resp.StatusCode == http.StatusSeeOther {
				cookie = sessionCookie(resp)
				break
			}
		}
		if cookie == nil {
			t.Fatal("the first-run link made no administrator, or set no session cookie")
		}
		if !strings.HasPrefix(cookie.Name, "__Host-") || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
			t.Errorf("session cookie %s: HttpOnly %v Secure %v SameSite %v Path %q", cookie.Name, cookie.HttpOnly, cookie.Secure, cookie.SameSite, cookie.Path)
		}
		for _, req := range []*http.Request{request(t, "GET", tg.editor+"/first-run/"+token, ""),
			request(t, "POST", tg.editor+"/first-run/"+token, strings.ReplaceAll(choose, "anna", "eve"), "Content-Type", form)} {
			if resp, _ := do(t, c, req); resp.StatusCode != http.StatusGone {
				t.Errorf("%s the used link: %d; want 410", req.Method, resp.StatusCode)
			}
		}
	})
	if anna.secret == "" {
		t.Fatal("no administrator to go on with")
	}
	apiLogin(t, tg, anna, "127.0.1.1")
	walter, wendy, fay := addMember(t, tg, anna, "walter", accounts.Writer), addMember(t, tg, anna, "wendy", accounts.Writer),
		addMember(t, tg, anna, "fay", accounts.Writer)
	apiLogin(t, tg, walter, "127.0.1.2")
	apiLogin(t, tg, wendy, "127.0.1.3")
	tina := addMember(t, tg, anna, "tina", accounts.Writer)

	t.Run("a failed login reads the same for an unknown name", func(t *testing.T) {
		from := client("127.0.0.5")
		var bodies []string
		for _, name := range []string{"anna", "nobody"} {
			resp, body := do(t, from, request(t, "POST", tg.editor+"/login", "name="+name+"&password=wrong-guess-1&code=000000", "Content-Type", form))
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("a wrong login as %s: %d; want 401", name, resp.StatusCode)
			}
			bodies = append(bodies, strings.ReplaceAll(body, name, "NAME"))
		}
		if bodies[0] != bodies[1] {
			t.Error("the login page answers an unknown name differently from a known one")
		}
	})

	t.Run("repeated failures hold back even the right password", func(t *testing.T) {
		from := client("127.0.0.6")
		for i := range 4 {
			do(t, from, request(t, "POST", tg.editor+"/login", "name=tina&password=guess-"+string(rune('a'+i))+"&code=000000", "Content-Type", form))
		}
		right := "name=tina&password=" + tina.password + "&code=" + code(t, tina.secret, 0)
		if resp, _ := do(t, from, request(t, "POST", tg.editor+"/login", right, "Content-Type", form)); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the right login straight after four failures: %d; want 401 (wait)", resp.StatusCode)
		}
	})

	t.Run("a planted session id is worth nothing after login; next stays on the site", func(t *testing.T) {
		const planted = "planted-by-the-attacker-0123456789abcdefghijk"
		from := client("127.0.0.7")
		var set *http.Cookie
		for _, step := range []int{0, 1} {
			body := url.Values{"name": {"fay"}, "password": {fay.password}, "code": {code(t, fay.secret, step)}, "next": {"//evil.example/x"}}.Encode()
			req := request(t, "POST", tg.editor+"/login", body, "Content-Type", form)
			req.AddCookie(&http.Cookie{Name: "__Host-pregoner-session", Value: planted})
			resp, _ := do(t, from, req)
			if resp.StatusCode == http.StatusSeeOther {
				if loc := resp.Header.Get("Location"); loc != "/" {
					t.Errorf("after login with next=//evil.example/x: Location %q; want /", loc)
				}
				set = sessionCookie(resp)
				break
			}
		}
		if set == nil || set.Value == planted {
			t.Fatalf("login kept the planted id, or failed: %v", set)
		}
		req := request(t, "GET", tg.editor+"/", "")
		req.AddCookie(&http.Cookie{Name: set.Name, Value: planted})
		if resp, _ := do(t, from, req); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the planted id opens the editor: %d", resp.StatusCode)
		}
		logout := request(t, "POST", tg.editor+"/logout", "", "Content-Type", form)
		logout.AddCookie(set)
		do(t, from, logout)
		again := request(t, "GET", tg.editor+"/", "")
		again.AddCookie(set)
		if resp, _ := do(t, from, again); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the session id still opens the editor after logout: %d", resp.StatusCode)
		}
	})

	t.Run("a revoked token is dead at once", func(t *testing.T) {
		admin := []string{"Content-Type", "application/json", "Authorization", "Bearer " + anna.token}
		_, out := do(t, c, request(t, "POST", tg.editor+"/api/tokens", `{"name":"importer","owner":"anna","scope":"publish"}`, admin...))
		var made struct{ Token string }
		if json.Unmarshal([]byte(out), &made); made.Token == "" {
			t.Fatalf("no token made: %s", out)
		}
		use := func() int {
			resp, _ := do(t, c, request(t, "GET", tg.editor+"/api/schedules", "", "Authorization", "Bearer "+made.Token))
			return resp.StatusCode
		}
		if got := use(); got != http.StatusOK {
			t.Fatalf("the new token: %d", got)
		}
		do(t, c, request(t, "DELETE", tg.editor+"/api/tokens/importer", "", admin...))
		if got := use(); got != http.StatusUnauthorized {
			t.Errorf("the revoked token: %d; want 401", got)
		}
	})

	t.Run("API refuses what is not a live token of the right role", func(t *testing.T) {
		api := func(method, path, body, token string) int {
			h := []string{"Content-Type", "application/json"}
			if token != "" {
				h = append(h, "Authorization", token)
			}
			resp, _ := do(t, c, request(t, method, tg.editor+path, body, h...))
			return resp.StatusCode
		}
		forged := "Bearer pgt_" + strings.Repeat("A", 43)
		for _, tt := range []struct {
			what, method, path, body, token string
			want                            int
		}{
			{"no token", "GET", "/api/bulletins", "", "", 401},
			{"a forged token", "GET", "/api/bulletins", "", forged, 401},
			{"a password as Basic", "GET", "/api/users", "", "Basic YW5uYTpjb3JyZWN0LWhvcnNlLWJhdHRlcnk=", 401},
			{"a token in the query", "GET", "/api/users?token=" + anna.token, "", "", 401},
			{"a writer lists accounts", "GET", "/api/users", "", "Bearer " + walter.token, 403},
			{"a writer adds an admin", "POST", "/api/users", `{"name":"eve","role":"admin","password":"a-long-password-eve"}`, "Bearer " + walter.token, 403},
			{"a writer promotes herself", "POST", "/api/users/walter/role", `{"role":"admin"}`, "Bearer " + walter.token, 403},
			{"a writer makes a token", "POST", "/api/tokens", `{"name":"x","owner":"walter","scope":"admin"}`, "Bearer " + walter.token, 403},
			{"a writer rotates the key", "POST", "/api/keys/rotate", "", "Bearer " + walter.token, 403},
			{"a writer reads the audit log", "GET", "/api/audit", "", "Bearer " + walter.token, 403},
			{"a writer publishes", "POST", "/api/bulletins", `{"fields":{"id":"x","title":"x","lang":"ca","body":"x"}}`, "Bearer " + walter.token, 403},
			{"a writer's own draft", "PUT", "/api/drafts/pla", `{"fields":{"title":"Pla de wendy","lang":"ca","body":"Text."}}`, "Bearer " + wendy.token, 200},
			{"a writer deletes another's draft", "DELETE", "/api/drafts/pla/wendy", "", "Bearer " + walter.token, 403},
			{"a writer marks another's draft", "POST", "/api/drafts/pla/wendy/ready", `{"ready":true}`, "Bearer " + walter.token, 403},
			{"a traversal in the draft id", "GET", "/api/drafts/..%2F..%2Fx", "", "Bearer " + walter.token, 400},
		} {
			if got := api(tt.method, tt.path, tt.body, tt.token); got != tt.want {
				t.Errorf("%s (%s %s): %d; want %d", tt.what, tt.method, tt.path, got, tt.want)
			}
		}
	})

	// Fails until the editor's own bus key may list one bulletin's drafts: DraftsOf asks
	// for two filters (id, id.*), a consumer named without a filter token
	// ($JS.API.CONSUMER.CREATE.KV_DRAFTS.<name>), which bus.Grants does not give the
	// editor; the server drops the request and the page waits 5 s for a 503. The staff
	// tests run on a bus without permissions and cannot see it.
	t.Run("one bulletin's drafts open on the hub's bus", func(t *testing.T) {
		resp, out := do(t, c, request(t, "GET", tg.editor+"/api/drafts/pla", "", "Authorization", "Bearer "+walter.token))
		if resp.StatusCode != http.StatusOK || !strings.Contains(out, "Pla de wendy") {
			t.Errorf("GET /api/drafts/pla: %d %s; want 200 with wendy's draft", resp.StatusCode, out)
		}
		req := request(t, "GET", tg.editor+"/drafts/pla", "")
		req.AddCookie(annaSession)
		if resp, _ := do(t, c, req); resp.StatusCode != http.StatusOK {
			t.Errorf("the draft page /drafts/pla: %d; want 200", resp.StatusCode)
		}
	})

	t.Run("a cross-site form with the admin's cookie changes nothing", func(t *testing.T) {
		for _, h := range [][]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Site", "same-site"}, {"Origin", "null"}} {
			req := request(t, "POST", tg.editor+"/admin/users", "name=eve&role=admin&password=a-long-password-eve", "Content-Type", form, h[0], h[1])
			req.AddCookie(annaSession)
			if resp, _ := do(t, c, req); resp.StatusCode != http.StatusForbidden {
				t.Errorf("a form post with %s: %s: %d; want 403", h[0], h[1], resp.StatusCode)
			}
		}
		_, out := do(t, c, request(t, "GET", tg.editor+"/api/users", "", "Authorization", "Bearer "+anna.token))
		if strings.Contains(out, `"eve"`) {
			t.Error("a cross-site form added an account")
		}
	})

	t.Run("JSON sent as a form type still reaches the API", func(t *testing.T) {
		resp, out := do(t, client("127.0.0.8"), request(t, "POST", tg.editor+"/api/login",
			`{"name":"nobody","password":"wrong-guess-2","code":"000000"}`, "Content-Type", form))
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(out, "bad_login") {
			t.Errorf("curl -d '{json}' /api/login: %d %s; want 401 bad_login (the body read as JSON)", resp.StatusCode, out)
		}
	})

	t.Run("oversized requests and pages without a session", func(t *testing.T) {
		big := strings.Repeat("a", 2<<20)
		resp, _ := do(t, c, request(t, "POST", tg.editor+"/login", "name="+big, "Content-Type", form))
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("a 2 MiB login form: %d; want 413", resp.StatusCode)
		}
		req := request(t, "PUT", tg.editor+"/api/drafts/x", big, "Content-Type", "application/json", "Authorization", "Bearer "+walter.token)
		req.ContentLength = -1 // chunked: the size is found by reading
		if resp, _ := do(t, c, req); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("a 2 MiB chunked draft: %d; want 413", resp.StatusCode)
		}
		if resp, _ := do(t, c, request(t, "GET", tg.editor+"/login", "", "X-Big", strings.Repeat("a", 70<<10))); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("70 KiB of headers: %d; want 431", resp.StatusCode)
		}
		if resp, _ := do(t, c, request(t, "GET", tg.editor+"/events", "")); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/events without a session: %d; want 401", resp.StatusCode)
		}
		for _, path := range []string{"/nope", "/api/nope", "/bulletins/NOPE", "/first-run/x/confirm"} {
			_, body := do(t, c, request(t, "GET", tg.editor+path, ""))
			if l := leaks(body); l != "" {
				t.Errorf("GET %s shows %q", path, l)
			}
		}
	})
}

// sessionCookie is the session cookie an answer sets, or nil.
func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, "-session") {
			return c
		}
	}
	return nil
}
