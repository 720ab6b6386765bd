// Package forwarded finds the address of the person behind a request that came
// through the council's reverse proxy. Per-address limits (the page's live streams,
// the editor's login throttle) must count the reader, not the proxy — else one
// stranger slows everyone who comes through it — and must not believe an
// X-Forwarded-For the client wrote itself.
package forwarded

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Trusted are the peers whose X-Forwarded-For is believed.
type Trusted []netip.Prefix

// Parse reads a setting's value: "none" (or empty), or addresses and prefixes
// separated by commas, e.g. "127.0.0.0/8,::1,10.0.0.5".
func Parse(v string) (Trusted, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "none" {
		return nil, nil
	}
	var out Trusted
	for part := range strings.SplitSeq(v, ",") {
		part = strings.TrimSpace(part)
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(part); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		} else {
			return nil, fmt.Errorf("%q is not an address or prefix (want none, or a comma-separated list, e.g. 127.0.0.0/8,10.0.0.5)", part)
		}
	}
	return out, nil
}

// Contains reports whether a is a trusted proxy.
func (t Trusted) Contains(a netip.Addr) bool {
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Client is the address of the request's sender: the TCP peer, or, while the peer is
// a trusted proxy, the hop it names in X-Forwarded-For, read from the right (the
// proxy appends; whatever the client wrote stands to the left and is reached only
// through trusted hops). A malformed hop stops the walk at the last good address. The
// zero Addr means the peer is not TCP (a test's recorder).
func (t Trusted) Client(r *http.Request) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	a := peer.Addr().Unmap()
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0 && t.Contains(a); i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = h.Unmap()
	}
	return a
}

// Middleware puts the sender's address in r.RemoteAddr (port 0) for every handler
// after it: the throttles and the audit log then name the person, not the proxy.
func (t Trusted) Middleware(next http.Handler) http.Handler {
	if len(t) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := t.Client(r); a.IsValid() {
			r2 := r.Clone(r.Context())
			r2.RemoteAddr = netip.AddrPortFrom(a, 0).String()
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}
