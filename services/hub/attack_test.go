package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

// These tests attack a running hub from outside, as a stranger would: only HTTP
// requests and raw connections to the addresses it listens on (the public page, the
// editor, the admin address, the embedded NATS server). Each asserts the safe answer.

// target is a running hub and the addresses an attacker finds it on.
type target struct {
	web, editor, admin, nats, dir string
	logs                          *testenv.Logs
}

// startTarget runs the hub as main does, with the admin address on and every port its
// own. Failed logins wait ten minutes, so a throttle is seen without a race with the
// clock (the default first wait is two seconds).
func startTarget(t *testing.T) *target {
	t.Helper()
	env := serviceAddrs(t)
	env["EDITOR_FAIL_BACKOFF"], env["EDITOR_FAIL_BACKOFF_MAX"] = "10m", "10m"
	tg := &target{web: "http://" + env["WEB_ADDR"], editor: "http://" + env["EDITOR_ADDR"], admin: freePort(t),
		nats: freePort(t), dir: t.TempDir(), logs: &testenv.Logs{}}
	cfg, err := loadConfig([]string{"-data", tg.dir, "-nats-listen", tg.nats, "-admin", tg.admin},
		func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	tg.admin = "http://" + tg.admin
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, tg.logs) }()
	t.Cleanup(func() { cancel(); <-done })
	natstest.WaitFor(t, 60*time.Second, "the editor's first-run link", func() bool { return strings.Contains(tg.logs.String(), "/first-run/") })
	natstest.WaitFor(t, 30*time.Second, "the public page", func() bool {
		r, err := http.Get(tg.web + "/ca/")
		if err == nil {
			r.Body.Close()
		}
		return err == nil && r.StatusCode == http.StatusOK
	})
	return tg
}

// client is a browser that follows no redirect (the test reads each Location) and
// connects from the loopback address from (the editor counts failed logins per
// address; 127.0.0.0/8 is all loopback on Linux).
func client(from string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// do sends req and returns its answer with the body read.
func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func request(t *testing.T, method, url, body string, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// leaks is what no error page may show a stranger: a stack trace, a path of the
// machine, the Go version, a file name of the source.
func leaks(body string) string {
	for _, s := range []string{"goroutine ", "panic", "/work/", "/home/", "/root/", "go1.", ".go:", "runtime error"} {
		if strings.Contains(body, s) {
			return s
		}
	}
	return ""
}

func TestAttackPublicPage(t *testing.T) {
	tg := startTarget(t)
	_, pub := connect(t, strings.TrimPrefix(tg.nats, "nats://"), tg.dir)
	hostile := &bulletin.Bulletin{ID: "prova-atac", Title: `Prova <script>alert(1)</script>`, Lang: "ca", Group: "prova-atac",
		Channels: []string{"web"}, Body: "Text <img src=x onerror=alert(1)> [enllaç](javascript:alert(1)) <iframe src=//evil.example>",
		Alert: &bulletin.Alert{Severity: "Severe", Urgency: "Immediate", Certainty: "Observed", Category: []string{"Health"},
			Event: "Event ]]><script>alert(1)</script>"}}
	if _, err := pub.Publish(context.Background(), hostile, "test"); err != nil {
		t.Fatal(err)
	}
	c := client("127.0.0.1")
	natstest.WaitFor(t, 30*time.Second, "the bulletin on the page", func() bool {
		resp, body := do(t, c, request(t, "GET", tg.web+"/ca/article/prova-atac", ""))
		return resp.StatusCode == http.StatusOK && strings.Contains(body, "Prova")
	})

	t.Run("hostile bulletin text is escaped", func(t *testing.T) {
		for _, path := range []string{"/ca/", "/ca/article/prova-atac", "/bulletins/prova-atac", "/cap.atom", "/cap/prova-atac.xml", "/feed.atom", "/feed.json"} {
			resp, body := do(t, c, request(t, "GET", tg.web+path, ""))
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Prova") {
				t.Errorf("GET %s: %d, without the bulletin", path, resp.StatusCode)
			}
			for _, bad := range []string{"<script>alert", "<img src=x", "javascript:", "<iframe", "]]><"} {
				if strings.Contains(body, bad) {
					t.Errorf("GET %s carries %q raw", path, bad)
				}
			}
		}
	})

	t.Run("paths stay on the site", func(t *testing.T) {
		for _, path := range []string{"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd", "//evil.example/",
			"/static/..%2f..%2fgo.mod", "/ca/article/..%2F..%2Fetc%2Fpasswd", "/cap/..%2f..%2fx.xml", "/cap/%3Cx%3E.xml",
			"/ca/article/%3Cscript%3E", "/ca/article/" + strings.Repeat("a", 5000), "/xx/", "/debug/pprof/", "/metrics"} {
			req := request(t, "GET", tg.web+path, "")
			if strings.HasPrefix(path, "//") {
				req.URL.Path = path // "//host/..." as a path: as Opaque it would become an absolute URL
			} else {
				req.URL.Opaque = path // sent as written, not cleaned by the client
			}
			resp, body := do(t, c, req)
			loc := resp.Header.Get("Location")
			switch {
			case resp.StatusCode == http.StatusOK:
				t.Errorf("GET %s: 200; want a refusal or a redirect on the site", path)
			case loc != "" && !onSite(loc, tg.web):
				t.Errorf("GET %s: redirected off the site to %q", path, loc)
			case strings.Contains(body, "root:") || strings.Contains(body, "module "):
				t.Errorf("GET %s: a file of the machine", path)
			case strings.Contains(body, "<script>"):
				t.Errorf("GET %s: the path comes back as markup", path)
			}
			if l := leaks(body); l != "" {
				t.Errorf("GET %s: the answer shows %q", path, l)
			}
		}
	})

	t.Run("only GET and HEAD", func(t *testing.T) {
		for _, m := range []string{"OPTIONS", "TRACE", "PUT", "DELETE", "POST", "PATCH"} {
			resp, body := do(t, c, request(t, m, tg.web+"/ca/", "x"))
			if resp.StatusCode != http.StatusMethodNotAllowed || strings.Contains(body, m+" /ca/") {
				t.Errorf("%s /ca/: %d; want 405", m, resp.StatusCode)
			}
		}
	})

	t.Run("oversized search and junk validators", func(t *testing.T) {
		resp, body := do(t, c, request(t, "GET", tg.web+"/ca/search?q="+strings.Repeat("a", 10<<10), ""))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "100") {
			t.Errorf("a 10 KB search: %d; want 400 saying the limit", resp.StatusCode)
		}
		// Past the 64 KiB bound on a request's head, the server refuses it before any
		// handler reads it.
		resp, _ = do(t, c, request(t, "GET", tg.web+"/ca/search?q="+strings.Repeat("a", 100<<10), ""))
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("a 100 KB address: %d; want 431", resp.StatusCode)
		}
		resp, body = do(t, c, request(t, "GET", tg.web+"/ca/search?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", ""))
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "<script>alert") {
			t.Errorf("a search for markup: %d, the markup raw: %v", resp.StatusCode, strings.Contains(body, "<script>alert"))
		}
		resp, _ = do(t, c, request(t, "GET", tg.web+"/ca/search?q=%ff%fe%00", ""))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a search of invalid UTF-8: %d; want 400", resp.StatusCode)
		}
		resp, _ = do(t, c, request(t, "GET", tg.web+"/ca/", "", "If-None-Match", strings.Repeat(`"nope", W/, `, 5000), "Range", "bytes=0-0,1-1,2-2,-1"))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("junk If-None-Match and Range: %d; want the page, whole", resp.StatusCode)
		}
	})

	// Fails until the page's http.Server sets MaxHeaderBytes (services/web/site/service.go;
	// the editor takes 64 KiB): Go's default lets every connection send 1 MiB of headers.
	t.Run("headers past 64 KiB are refused", func(t *testing.T) {
		resp, _ := do(t, c, request(t, "GET", tg.web+"/ca/", "", "X-Big", strings.Repeat("a", 200<<10)))
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("200 KiB of headers: %d; want 431, as the editor answers", resp.StatusCode)
		}
	})

	t.Run("every answer carries the security headers", func(t *testing.T) {
		for _, path := range []string{"/ca/", "/xx/", "/cap.atom", "/robots.txt", "/ca/search?q=" + strings.Repeat("a", 200)} {
			resp, _ := do(t, c, request(t, "GET", tg.web+path, ""))
			h := resp.Header
			if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
				h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("GET %s: CSP %q, nosniff %q, frame %q", path, h.Get("Content-Security-Policy"),
					h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"))
			}
			if s := h.Get("Server"); s != "" {
				t.Errorf("GET %s: Server %q names the software", path, s)
			}
		}
	})

	t.Run("live-update streams are capped per reader and the page still answers", func(t *testing.T) {
		var open []*http.Response
		defer func() {
			for _, r := range open {
				r.Body.Close()
			}
		}()
		refused := 0
		for range 8 {
			resp, err := c.Get(tg.web + "/events")
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode == http.StatusOK {
				open = append(open, resp)
				continue
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				refused++
			}
		}
		if len(open) != 4 || refused != 4 {
			t.Errorf("8 streams from one address: %d open, %d refused; want 4 and 4 (WEB_MAX_STREAMS_PER_ADDR)", len(open), refused)
		}
		if resp, _ := do(t, client("127.0.0.2"), request(t, "GET", tg.web+"/ca/", "")); resp.StatusCode != http.StatusOK {
			t.Errorf("the page while one reader holds its cap: %d", resp.StatusCode)
		}
	})

	t.Run("a request whose headers never end is cut off", func(t *testing.T) {
		for name, addr := range map[string]string{"page": tg.web, "editor": tg.editor, "admin": tg.admin} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				cutOff(t, name, strings.TrimPrefix(addr, "http://"))
			})
		}
	})
}

// onSite: a redirect's Location stays on the page's own host.
func onSite(loc, base string) bool {
	return strings.HasPrefix(loc, base+"/") || strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") && !strings.HasPrefix(loc, "/\\")
}

// cutOff sends a header line a second, never ending the headers (slowloris), and
// expects the server to close the connection (ReadHeaderTimeout) well before a minute.
func cutOff(t *testing.T, name, addr string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n")
	buf := make([]byte, 512)
	for i := range 60 {
		if _, err := fmt.Fprintf(conn, "X-Slow-%d: a\r\n", i); err != nil {
			return // the server closed it
		}
		_ = conn.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := conn.Read(buf); err != nil && !os.IsTimeout(err) {
			return // closed (EOF or reset)
		}
	}
	t.Errorf("%s: a request whose headers never end was still open after 60 header lines, a second apart", name)
}
