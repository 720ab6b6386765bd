package staff_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// apiLoginVia sends POST /api/login from peer with the X-Forwarded-For a proxy adds.
func (e *env) apiLoginVia(peer, xff, name, pw, code string) int {
	e.t.Helper()
	body := fmt.Sprintf(`{"name": %q, "password": %q, "code": %q}`, name, pw, code)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(remoteHeader, peer)
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// Behind the council's proxy every member comes from the proxy's address: a
// stranger's failed logins must slow the stranger, not lock every member out; and a
// client that is not the proxy cannot escape its wait by naming other addresses.
func TestAStrangerBehindTheProxySlowsOnlyItself(t *testing.T) {
	e := newEnv(t)
	anna := e.user("anna", accounts.Publisher)
	const proxy = "127.0.0.1:4000" // EDITOR_TRUSTED_PROXIES: loopback by default
	for i := range e.cfg.FreeFailures + 1 {
		e.apiLoginVia(proxy, "203.0.113.9", fmt.Sprintf("nobody%d", i), "wrong password!", "000000")
	}
	if got := e.apiLoginVia(proxy, "198.51.100.2", "anna", password, e.code(anna)); got != http.StatusCreated {
		t.Fatalf("anna, through the proxy after a stranger's failures: %d, want 201 (logged in)", got)
	}
	// A direct client naming another address each time is still counted as itself.
	for i := range e.cfg.FreeFailures + 1 {
		e.apiLoginVia("192.0.2.50:1", fmt.Sprintf("10.0.0.%d", i), "nobody", "wrong password!", "000000")
	}
	e.clock.Add(e.cfg.FailDelay) // a fresh TOTP step is not what is tested here
	bea := e.user("bea", accounts.Publisher)
	if got := e.apiLoginVia("192.0.2.50:1", "10.9.9.9", "bea", password, e.code(bea)); got != http.StatusUnauthorized {
		t.Errorf("a direct client that named itself another address: %d, want 401 (it must wait)", got)
	}
}
