package accounts

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// forgetAfter is how long after its last wait ended a run of failures is forgotten, so
// a typo next week costs nothing however many there were today.
const forgetAfter = time.Hour

// maxAddresses bounds the in-memory failure counts per address: an attacker with many
// addresses must not grow the editor's memory without limit.
const maxAddresses = 100_000

// wait is how long the attempt after the n-th failure in a row must wait: nothing for
// the free ones, then Backoff doubling with each further failure, never above
// BackoffMax. There is no lock: after BackoffMax the right login always gets in.
func (p Policy) wait(n int) time.Duration {
	extra := n - p.FreeFailures
	if extra <= 0 || p.Backoff <= 0 {
		return 0
	}
	d := p.Backoff
	for range extra - 1 {
		if d >= p.BackoffMax {
			break
		}
		d *= 2
	}
	return min(d, p.BackoffMax)
}

// ClientKey is the address a request's failures are counted under: the host without
// the port (each connection has its own), and an IPv6 address by its /64, which one
// machine usually holds whole.
func ClientKey(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// strikes is an address's run of failures and when it may try again.
type strikes struct {
	failures  int
	notBefore time.Time
}

// addresses counts failed logins per client address, in memory: each replica of the
// editor counts what reaches it. It is safe for concurrent use.
type addresses struct {
	mu sync.Mutex
	m  map[string]strikes
}

// waiting reports until when key must wait, if it must.
func (a *addresses) waiting(key string, now time.Time) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.m[key]
	if !ok || !now.Before(s.notBefore) {
		return time.Time{}, false
	}
	return s.notBefore, true
}

// fail counts a failed login from key.
func (a *addresses) fail(key string, now time.Time, p Policy) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string]strikes{}
	}
	s, ok := a.m[key]
	if ok && now.After(s.notBefore.Add(forgetAfter)) {
		s = strikes{}
	}
	if !ok && len(a.m) >= maxAddresses {
		a.sweep(now)
	}
	s.failures++
	s.notBefore = now.Add(p.wait(s.failures))
	a.m[key] = s
}

// sweep drops forgotten runs and, if the table is still full, arbitrary ones: losing a
// count only makes an address wait less.
func (a *addresses) sweep(now time.Time) {
	for k, s := range a.m {
		if now.After(s.notBefore.Add(forgetAfter)) {
			delete(a.m, k)
		}
	}
	for k := range a.m {
		if len(a.m) < maxAddresses {
			break
		}
		delete(a.m, k)
	}
}
