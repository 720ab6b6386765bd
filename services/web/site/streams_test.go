package site_test

import (
	"bufio"
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/natstest"
)

// openStream opens /events as a reader behind the page's proxy at forwardedFor ("" for
// none). For a 200 the server holds the slot once the headers are back; close ends it.
func (e *env) openStream(forwardedFor string) (res *http.Response, close func()) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.url+"/events", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	// A transport of its own: each stream is its own connection, as each reader's is.
	tr := &http.Transport{DisableKeepAlives: true}
	res, err = tr.RoundTrip(req)
	if err != nil {
		cancel()
		e.t.Fatalf("GET /events: %v", err)
	}
	close = func() { cancel(); res.Body.Close(); tr.CloseIdleConnections() }
	e.t.Cleanup(close)
	return res, close
}

// With the stream cap full, a reader gets 503 with Retry-After, and everything else the
// page serves still answers; a freed slot takes the next reader.
func TestStreamCapRefusesWhilePagesAnswer(t *testing.T) {
	cfg := testConfig()
	cfg.MaxStreams, cfg.MaxStreamsPerAddr = 3, 2
	e := newEnv(t, cfg)
	e.publish(&bulletin.Bulletin{ID: "aforament", Title: "Aforament limitat", Body: "Als comerços."})
	e.waitRecord("aforament", 1, "delivered")

	var first func()
	for i, from := range []string{"10.0.0.1", "10.0.0.1", "10.0.0.2"} {
		res, close := e.openStream(from)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("stream %d from %s: %d, want 200 under the cap", i, from, res.StatusCode)
		}
		if i == 0 {
			first = close
		}
	}
	res, _ := e.openStream("10.0.0.3")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("stream over the cap: %d, want 503", res.StatusCode)
	}
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After %q, want whole seconds", res.Header.Get("Retry-After"))
	}
	for _, path := range []string{"/", "/ca/", "/es/", "/bulletins/aforament", "/feed.atom", "/healthz"} {
		if r := e.get(path, nil); r.status != http.StatusOK {
			t.Errorf("GET %s with the cap full: %d, want 200", path, r.status)
		}
	}

	first()
	natstest.WaitFor(t, waitLimit, "a freed slot to take a new reader", func() bool {
		res, close := e.openStream("10.0.0.3")
		if res.StatusCode != http.StatusOK {
			close()
		}
		return res.StatusCode == http.StatusOK
	})
}

// One address holds at most MaxStreamsPerAddr streams. X-Forwarded-For names the
// address only when the peer is a trusted proxy; otherwise anyone could name a fresh
// address per stream.
func TestStreamPerAddressCap(t *testing.T) {
	cases := []struct {
		name    string
		trusted string
		from    []string // X-Forwarded-For of each stream, in order
		want    []int
	}{
		{"trusted_proxy_separates_readers", "127.0.0.0/8", []string{"10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2"},
			[]int{200, 200, 429, 200}},
		{"trusted_proxy_last_hop_counts", "127.0.0.0/8", []string{"1.1.1.1, 10.0.0.1", "2.2.2.2, 10.0.0.1", "3.3.3.3, 10.0.0.1"},
			[]int{200, 200, 429}},
		{"untrusted_peer_forwarded_for_ignored", "none", []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"},
			[]int{200, 200, 429}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.MaxStreams, cfg.MaxStreamsPerAddr, cfg.TrustedProxies = 100, 2, c.trusted
			e := newEnv(t, cfg)
			for i, from := range c.from {
				res, _ := e.openStream(from)
				if res.StatusCode != c.want[i] {
					t.Errorf("stream %d from %q: %d, want %d", i, from, res.StatusCode, c.want[i])
				}
				if res.StatusCode == http.StatusTooManyRequests && res.Header.Get("Retry-After") == "" {
					t.Errorf("stream %d: 429 without Retry-After", i)
				}
			}
		})
	}
}

var retryRE = regexp.MustCompile(`^retry: (\d+)$`)

// A stream ends by itself after its lifetime, last telling the browser when to
// reconnect; its first event carries the version the page embeds.
func TestStreamLifetimeEndsWithRetryHint(t *testing.T) {
	cfg := testConfig()
	cfg.StreamLifetime = time.Second // the shortest allowed
	e := newEnv(t, cfg)
	page := e.get("/ca/", nil)
	m := regexp.MustCompile(`data-version="([^"]+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("/ca/ embeds no data-version:\n%.300s", page.body)
	}
	res, _ := e.openStream("")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /events: %d", res.StatusCode)
	}
	var lines []string
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
	}()
	select {
	case <-ended:
	case <-time.After(waitLimit):
		t.Fatalf("the stream did not end within %s of a 1s lifetime", waitLimit)
	}
	var id, data string
	var retries []int
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, "id: "); ok && id == "" {
			id = v
		}
		if v, ok := strings.CutPrefix(l, "data: "); ok && data == "" {
			data = v
		}
		if r := retryRE.FindStringSubmatch(l); r != nil {
			n, _ := strconv.Atoi(r[1])
			retries = append(retries, n)
		}
	}
	if id != m[1] || data != m[1] {
		t.Errorf("first event id %q data %q, want the page's version %q", id, data, m[1])
	}
	if len(retries) != 2 {
		t.Fatalf("retry hints %v, want one at the start and one at the end:\n%s", retries, strings.Join(lines, "\n"))
	}
	if last := retries[1]; last < 2000 || last >= 7000 {
		t.Errorf("closing retry hint %d ms, want 2000–6999", last)
	}
}

// A change elsewhere in the feed moves every page's embedded version, but not the
// validator of a page whose content stayed: live.js's refetch is then a 304.
func TestVersionedPageRevalidatesAcrossUnrelatedChange(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "piscines", Title: "Piscines tancades", Body: "Fins a nou avís."})
	before := e.waitBody("/bulletins/piscines", nil, http.StatusOK, "Piscines tancades")
	e.publish(&bulletin.Bulletin{ID: "biblioteques", Title: "Biblioteques obertes", Body: "Amb cita prèvia."})
	e.waitBody("/bulletins/biblioteques", nil, http.StatusOK, "Biblioteques obertes")

	after := e.get("/bulletins/piscines", nil)
	if after.body == before.body {
		t.Fatalf("the embedded version did not move with the feed")
	}
	etag := before.header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) || after.header.Get("ETag") != etag {
		t.Errorf("ETag %q then %q, want the same weak tag", etag, after.header.Get("ETag"))
	}
	if r := e.get("/bulletins/piscines", map[string]string{"If-None-Match": etag}); r.status != http.StatusNotModified {
		t.Errorf("revalidating after an unrelated change: %d, want 304", r.status)
	}
}
