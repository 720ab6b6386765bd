package site

import (
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/paeria/pregoner/shared/forwarded"
)

// How WEB_MAX_STREAMS=0 derives the cap from the soft open-file limit L:
//
//	streams = min(10000, max((L − 512) / 2, L / 8, 1))
//
// 512 files stay for the bus (its store files and connections), the editor, the
// sandboxes and logs, which share the hub's process; half of the rest stays for page
// loads, which the same crowd makes while its streams are open, and for the refused
// streams' short-lived connections. 10,000 bounds memory (about 20 KB a stream: a
// goroutine and its connection's buffers) when the limit is huge. L = 4,096 gives
// 1,792; L = 1,024 gives 256.
const (
	streamReserve     = 512
	maxDerivedStreams = 10000
	// fallbackFileLimit is assumed when the limit cannot be read: the usual soft default.
	fallbackFileLimit = 1024
	// capLogEvery keeps a crowd at the cap from flooding the log.
	capLogEvery = time.Minute
)

// deriveMaxStreams is the formula above.
func deriveMaxStreams(softLimit uint64) int {
	l := int(min(softLimit, 1<<31)) // RLIM_INFINITY is all ones
	return min(maxDerivedStreams, max((l-streamReserve)/2, l/8, 1))
}

// refusal says why a stream was not opened; "" when it was.
type refusal string

const (
	refusedFull    refusal = "full"     // the process-wide cap
	refusedPerAddr refusal = "per-addr" // this address holds its share already
)

// streamGate counts open live-update streams, in all and per reader address, and
// refuses those over the caps. Every stream is a held file; page loads, the editor
// and the bus must keep theirs.
type streamGate struct {
	max, perAddr int
	log          *slog.Logger

	mu      sync.Mutex
	open    int
	byAddr  map[netip.Addr]int
	refused int // since the last log line
	logged  time.Time
}

func newStreamGate(maxStreams, perAddr int, log *slog.Logger) *streamGate {
	return &streamGate{max: maxStreams, perAddr: perAddr, log: log, byAddr: map[netip.Addr]int{}}
}

// acquire takes a slot for a stream from addr. The caller must call release once the
// stream ends, when refused is "".
func (g *streamGate) acquire(addr netip.Addr) (release func(), refused refusal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.open >= g.max:
		refused = refusedFull
	case g.byAddr[addr] >= g.perAddr:
		refused = refusedPerAddr
	}
	if refused != "" {
		g.refused++
		if now := time.Now(); now.Sub(g.logged) >= capLogEvery {
			g.log.Warn("live-update streams refused at the cap; pages still served",
				"refused", g.refused, "last_reason", string(refused), "open", g.open, "max", g.max, "per_addr", g.perAddr)
			g.refused, g.logged = 0, now
		}
		return nil, refused
	}
	g.open++
	g.byAddr[addr]++
	var once sync.Once
	return func() { once.Do(func() { g.release(addr) }) }, ""
}

func (g *streamGate) release(addr netip.Addr) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open--
	if g.byAddr[addr]--; g.byAddr[addr] <= 0 {
		delete(g.byAddr, addr)
	}
}

// clientAddr is the reader's address for the per-address cap: the TCP peer, unless
// the peer is a trusted proxy; then the right-most X-Forwarded-For entry that is not
// itself a trusted proxy (entries further left are whatever the client wrote). An
// IPv6 address counts by its /64, which one household or phone usually gets whole.
func clientAddr(r *http.Request, trusted forwarded.Trusted) netip.Addr {
	a := trusted.Client(r)
	if a.Is6() {
		p, _ := a.Prefix(64) // a valid IPv6 address always has a /64
		a = p.Addr()
	}
	return a
}

// parseProxies reads WEB_TRUSTED_PROXIES: "none", or addresses and prefixes separated
// by commas (forwarded.Parse).
func parseProxies(v string) (forwarded.Trusted, error) { return forwarded.Parse(v) }
