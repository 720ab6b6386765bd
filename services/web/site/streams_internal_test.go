package site

import (
	"net/http"
	"testing"

	"github.com/paeria/pregoner/shared/forwarded"
)

func TestDeriveMaxStreams(t *testing.T) {
	cases := []struct {
		soft uint64
		want int
	}{
		{4096, 1792},        // the hub: (4096 − 512) / 2
		{1024, 256},         // a common default
		{256, 32},           // tiny: an eighth, not a negative number
		{0, 1},              // unreadable or absurd: still one
		{20000, 9744},       // this CI machine
		{1 << 20, 10000},    // raised hard limit: memory bounds it
		{^uint64(0), 10000}, // RLIM_INFINITY
	}
	for _, c := range cases {
		if got := deriveMaxStreams(c.soft); got != c.want {
			t.Errorf("deriveMaxStreams(%d) = %d, want %d", c.soft, got, c.want)
		}
	}
}

func TestClientAddr(t *testing.T) {
	loopback, _ := parseProxies(DefaultTrustedProxies)
	cases := []struct {
		name, remote, xff string
		trusted           forwarded.Trusted
		want              string
	}{
		{"peer", "203.0.113.7:5000", "", loopback, "203.0.113.7"},
		{"untrusted_peer_xff_ignored", "203.0.113.7:5000", "10.0.0.1", loopback, "203.0.113.7"},
		{"trusted_proxy_xff", "127.0.0.1:5000", "10.0.0.1", loopback, "10.0.0.1"},
		{"trusted_proxy_rightmost", "127.0.0.1:5000", "6.6.6.6, 10.0.0.1", loopback, "10.0.0.1"},
		{"trusted_chain", "127.0.0.1:5000", "10.0.0.1, 127.0.0.2", loopback, "10.0.0.1"},
		{"trusted_proxy_no_xff", "127.0.0.1:5000", "", loopback, "127.0.0.1"},
		{"trusted_proxy_garbage_xff", "127.0.0.1:5000", "nonsense", loopback, "127.0.0.1"},
		{"no_trust", "127.0.0.1:5000", "10.0.0.1", nil, "127.0.0.1"},
		{"ipv6_by_64", "[2001:db8:1:2:aaaa::1]:443", "", nil, "2001:db8:1:2::"},
		{"mapped_v4", "[::ffff:192.0.2.1]:80", "", nil, "192.0.2.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/events", nil)
			r.RemoteAddr = c.remote
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			if got := clientAddr(r, c.trusted); got.String() != c.want {
				t.Errorf("clientAddr = %s, want %s", got, c.want)
			}
		})
	}
}

// RaiseFileLimit leaves the soft limit at the hard one (Go's runtime usually did it
// already), and the cap is derived from what it leaves.
func TestRaiseFileLimit(t *testing.T) {
	before, after, err := RaiseFileLimit()
	if err != nil {
		t.Fatal(err)
	}
	now, err := fileLimit()
	if err != nil {
		t.Fatal(err)
	}
	if after < before || now != after {
		t.Errorf("before %d, after %d, now %d: want after ≥ before and now = after", before, after, now)
	}
}
