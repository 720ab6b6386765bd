package staff_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/shared/bus"
)

// serving runs the service as production does (Service.Serve: its own http.Server,
// with its limits) on a TLS listener with the test server's certificate, and points
// every helper of e at it.
func (e *env) serving() {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.svc.Serve(ctx, tls.NewListener(ln, e.srv.TLS)) }()
	e.t.Cleanup(func() { cancel(); <-done })
	e.srv.URL = "https://" + ln.Addr().String()
}

// stored is what the probes must leave as it was: the accounts, the tokens, the drafts
// and the bulletins on the bus.
func (e *env) stored() string {
	e.t.Helper()
	ctx := context.Background()
	users, err := e.svc.Accounts.Users(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Name+":"+string(u.Role))
	}
	toks, err := e.svc.Accounts.Tokens(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := e.conn.JS.Stream(ctx, bus.StreamBulletins)
	if err != nil {
		e.t.Fatal(err)
	}
	drafts, err := e.conn.JS.KeyValue(ctx, bus.BucketDrafts)
	if err != nil {
		e.t.Fatal(err)
	}
	st, err := drafts.Status(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.Join(names, ",") + " tokens=" + strconv.Itoa(len(toks)) + " bulletins=" + strconv.Itoa(int(s.CachedInfo().State.Msgs)) +
		" drafts=" + strconv.Itoa(int(st.Values()))
}

// Every door of the editor — the UI's forms, the API, the login, the first run —
// refuses hostile input from outside with a clear status and words, stores nothing and
// writes nothing raw to the audit log: bodies too large, headers too large, names with
// control characters or a right-to-left override, ids that climb out of their place or
// carry a NUL, and a login's next that leaves the editor.
func TestHostileInputIsRefusedAtEveryDoor(t *testing.T) {
	e := newEnv(t)
	admin := e.loggedIn("ada", accounts.Admin)
	pub := e.loggedIn("pau", accounts.Publisher)
	tok := e.token("script", accounts.Admin)
	e.serving()
	huge := strings.Repeat("x", 20<<20)
	overlong := strings.Repeat("a", 300)
	probes := []struct {
		name   string
		do     func() (int, string, http.Header)
		status int
		words  string // in the answer
	}{
		{"login_20MB_form", func() (int, string, http.Header) {
			r := e.browser().post("/login", url.Values{"name": {"ada"}, "password": {huge}})
			return r.status, r.body, r.header
		}, http.StatusRequestEntityTooLarge, "too large"},
		{"compose_20MB_form", func() (int, string, http.Header) {
			r := pub.post("/compose", composeForm("publish", "id", "gran", "title", "Gran", "body", huge))
			return r.status, r.body, r.header
		}, http.StatusRequestEntityTooLarge, "too large"},
		{"admin_20MB_form", func() (int, string, http.Header) {
			r := admin.post("/admin/users", url.Values{"name": {"gran"}, "role": {"writer"}, "password": {huge}})
			return r.status, r.body, r.header
		}, http.StatusRequestEntityTooLarge, "too large"},
		{"api_20MB_bulletin", func() (int, string, http.Header) {
			st, body := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", "---\ntitle: Gran\n---\n"+huge)
			return st, jsonOf(body), nil
		}, http.StatusRequestEntityTooLarge, "larger than"},
		{"api_20MB_user", func() (int, string, http.Header) {
			st, body := e.apiCall(tok, "POST", "/api/users", "application/json", `{"name":"gran","role":"writer","password":"`+huge+`"}`)
			return st, jsonOf(body), nil
		}, http.StatusRequestEntityTooLarge, "larger than"},
		{"api_20MB_login", func() (int, string, http.Header) {
			st, body := e.apiCall("", "POST", "/api/login", "application/json", `{"name":"ada","password":"`+huge+`"}`)
			return st, jsonOf(body), nil
		}, http.StatusRequestEntityTooLarge, "larger than"},
		{"2MB_header", func() (int, string, http.Header) {
			r := admin.do(http.MethodGet, "/admin", nil, map[string]string{"X-Padding": strings.Repeat("p", 2<<20)})
			return r.status, r.body, r.header
		}, http.StatusRequestHeaderFieldsTooLarge, "too large"},
		{"ui_name_with_nul", func() (int, string, http.Header) {
			r := admin.post("/admin/users", url.Values{"name": {"ana\x00"}, "role": {"writer"}, "password": {password}})
			return r.status, r.body, r.header
		}, http.StatusUnprocessableEntity, "control character"},
		{"ui_name_with_header_injection", func() (int, string, http.Header) {
			r := admin.post("/admin/users", url.Values{"name": {"ana\r\nSet-Cookie: x=1"}, "role": {"writer"}, "password": {password}})
			return r.status, r.body, r.header
		}, http.StatusUnprocessableEntity, "control character"},
		{"ui_name_with_rtl_override", func() (int, string, http.Header) {
			r := admin.post("/admin/users", url.Values{"name": {"ana\u202egpj.exe"}, "role": {"writer"}, "password": {password}})
			return r.status, r.body, r.header
		}, http.StatusUnprocessableEntity, "control character"},
		{"ui_overlong_name", func() (int, string, http.Header) {
			r := admin.post("/admin/users", url.Values{"name": {overlong}, "role": {"writer"}, "password": {password}})
			return r.status, r.body, r.header
		}, http.StatusUnprocessableEntity, "characters (want at most"},
		{"ui_token_name_with_nul", func() (int, string, http.Header) {
			r := admin.post("/admin/tokens", url.Values{"name": {"robot\x00"}, "owner": {"ada"}, "scope": {"publish"}})
			return r.status, r.body, r.header
		}, http.StatusUnprocessableEntity, "control character"},
		{"api_name_with_nul", func() (int, string, http.Header) {
			st, body := e.apiCall(tok, "POST", "/api/users", "application/json", `{"name":"ana\u0000","role":"writer","password":"`+password+`"}`)
			return st, jsonOf(body), nil
		}, http.StatusUnprocessableEntity, "control character"},
		{"api_name_with_rtl_override_in_path", func() (int, string, http.Header) {
			st, body := e.apiCall(tok, "POST", "/api/users/"+url.PathEscape("ana\u202e")+"/unlock", "", "")
			return st, jsonOf(body), nil
		}, http.StatusBadRequest, "control character"},
		{"api_token_name_overlong", func() (int, string, http.Header) {
			st, body := e.apiCall(tok, "POST", "/api/tokens", "application/json", `{"name":"`+overlong+`","owner":"ada"}`)
			return st, jsonOf(body), nil
		}, http.StatusUnprocessableEntity, "want at most"},
		{"login_name_with_crlf", func() (int, string, http.Header) {
			r := e.browser().post("/login", url.Values{"name": {"ada\r\nSet-Cookie: x=1"}, "password": {password}, "code": {"000000"}})
			return r.status, r.body, r.header
		}, http.StatusUnauthorized, "not right"},
		{"api_login_name_with_nul", func() (int, string, http.Header) {
			st, body := e.apiCall("", "POST", "/api/login", "application/json", `{"name":"ada\u0000","password":"`+password+`","code":"000000"}`)
			return st, jsonOf(body), nil
		}, http.StatusUnauthorized, "not right"},
		{"login_next_elsewhere", func() (int, string, http.Header) {
			r := e.browser().get("/login?next=" + url.QueryEscape("//evil.example/x"))
			return r.status, r.body, r.header
		}, http.StatusOK, `name="next" value="/"`},
		{"ui_id_climbing_out", func() (int, string, http.Header) {
			r := pub.get("/bulletins/" + url.PathEscape("../../etc/passwd"))
			return r.status, r.body, r.header
		}, http.StatusBadRequest, "id"},
		{"ui_id_with_nul", func() (int, string, http.Header) {
			r := pub.post("/bulletins/"+url.PathEscape("avis\x00")+"/retract", nil)
			return r.status, r.body, r.header
		}, http.StatusBadRequest, "id"},
		{"ui_compose_id_climbing_out", func() (int, string, http.Header) {
			r := pub.post("/compose", composeForm("publish", "id", "../x", "title", "Avís", "body", "Text."))
			return r.status, r.body, r.header
		}, http.StatusUnprocessableEntity, "id"},
		{"ui_draft_id_overlong", func() (int, string, http.Header) {
			r := pub.post("/compose", composeForm("draft", "id", overlong, "title", "Avís", "body", "Text."))
			return r.status, r.body, r.header
		}, http.StatusUnprocessableEntity, "id"},
		{"api_id_overlong", func() (int, string, http.Header) {
			st, body := e.apiCall(tok, "GET", "/api/bulletins/"+overlong, "", "")
			return st, jsonOf(body), nil
		}, http.StatusBadRequest, "id"},
		{"api_id_with_nul", func() (int, string, http.Header) {
			st, body := e.apiCall(tok, "POST", "/api/bulletins/"+url.PathEscape("avis\x00")+"/retract", "", "")
			return st, jsonOf(body), nil
		}, http.StatusBadRequest, "id"},
		{"first_run_hostile_token", func() (int, string, http.Header) {
			r := e.browser().post("/first-run/"+url.PathEscape("../\x00"+overlong), url.Values{"name": {"eve"}, "password": {password}, "again": {password}})
			return r.status, r.body, r.header
		}, http.StatusGone, "first"},
	}
	for _, p := range probes {
		t.Run(p.name, func(t *testing.T) {
			before := e.stored()
			status, body, hdr := p.do()
			if status != p.status || !strings.Contains(strings.ToLower(body), strings.ToLower(p.words)) {
				i := max(0, strings.Index(body, "<main")) // the page's own part, past the layout's words
				t.Errorf("%d %.600q; want %d with %q", status, body[i:], p.status, p.words)
			}
			if c := hdr.Get("Set-Cookie"); strings.Contains(c, "x=1") {
				t.Errorf("a header was injected: Set-Cookie %q", c)
			}
			if after := e.stored(); after != before {
				t.Errorf("something was stored: %s, was %s", after, before)
			}
		})
	}
	// Nothing of the hostile names reached the audit log raw.
	all, err := e.svc.Audit.Recent(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range all {
		for _, f := range []string{ev.Actor, ev.Target, ev.Detail} {
			if strings.ContainsAny(f, "\x00\r\n\u202e") {
				t.Errorf("audit %s holds a raw control character: %q", ev.Action, f)
			}
		}
	}
}
