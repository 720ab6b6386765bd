package site

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// coalesce gathers the changes of a burst (a cold start, a batch import) into one
	// event, well inside the second a reader may wait for a new bulletin.
	coalesce = 100 * time.Millisecond
	// writeGrace is how long one event may wait for a reader that does not read: such
	// a stream gives its file back instead of holding it until the lifetime ends.
	writeGrace = 15 * time.Second
)

// retryHint is the reconnection delay a stream asks for, in milliseconds: 2–7 s, so the
// readers of a restarted or ended stream do not all come back in the same instant.
func retryHint() int { return 2000 + rand.IntN(5000) }

// lifetime is this stream's share of cfg.StreamLifetime: 75–100 % of it, so streams
// opened together (a crowd after a press conference) do not all end together.
func (s *Server) lifetime() time.Duration {
	d := s.cfg.StreamLifetime
	return d - time.Duration(rand.Int64N(int64(d/4)+1))
}

// events is the live-update stream (Server-Sent Events): one "change" event carrying
// the feed's version (as data and as the event id) when the stream opens and after
// every change, preceded by a "bulletin" event when exactly one bulletin changed
// (events.go). A list's first page opens it with ?lang=, and then that event carries
// the changed article as the list in lang shows it. live.js compares the version with
// the one the page was rendered at and applies the article, or fetches it or the page,
// only when they differ; the page does not depend on the stream to be right.
// Streams are capped (streamGate) and end after their lifetime with a retry hint.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	lang, err := streamLang(r)
	if err != nil {
		h := w.Header()
		h.Set("Cache-Control", cacheError)
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintln(w, err)
		return
	}
	release, refused := s.streams.acquire(clientAddr(r, s.trusted))
	if refused != "" {
		s.refuseStream(w, refused)
		return
	}
	defer release()
	rc := http.NewResponseController(w)
	// The server's read and write time-outs are for pages; a stream's ends are its
	// lifetime and writeGrace.
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events through at once
	w.WriteHeader(http.StatusOK)
	send := func(b []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(writeGrace))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	heartbeat := time.NewTicker(s.cfg.Heartbeat)
	defer heartbeat.Stop()
	end := time.NewTimer(s.lifetime())
	defer end.Stop()
	if !send(retryBytes("")) {
		return
	}
	// The first event is the plain version; every later one is encoded once for all
	// streams (events.go), after the shared pause that batches a burst of changes.
	tick := s.nextTick()
	b, told := s.eventBytes(0, true, lang)
	for {
		if b != nil && !send(b) {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		case <-end.C:
			// The browser reconnects after the hint, with Last-Event-ID; the new
			// stream's first event tells it whether it missed anything.
			send(retryBytes(": lifetime over, reconnect\n"))
			return
		case <-heartbeat.C:
			b = keepAlive
		case <-tick:
			tick = s.nextTick()
			b, told = s.eventBytes(told, false, lang)
		}
	}
}

var keepAlive = []byte(": keep-alive\n\n")

// streamLang is the stream's ?lang=: "" (no articles in its events) or a page language.
func streamLang(r *http.Request) (string, error) {
	q := r.URL.Query()
	lang := q.Get("lang")
	if _, ok := dictionary[lang]; (lang != "" && !ok) || len(q["lang"]) > 1 {
		return "", fmt.Errorf("lang: want one of %s, or none", strings.Join(uiLangs, ", "))
	}
	return lang, nil
}

// refuseStream answers a stream over a cap. EventSource gives up on any status but
// 200, and live.js then leaves the page as it is (it was complete when served) and
// tries again minutes later; Retry-After is for other clients and proxies.
func (s *Server) refuseStream(w http.ResponseWriter, why refusal) {
	status, msg := http.StatusServiceUnavailable, "live updates are full: the page works without them; reload it for news\n"
	if why == refusedPerAddr {
		status, msg = http.StatusTooManyRequests, "too many live-update streams from this address\n"
	}
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(60+rand.IntN(60)))
	h.Set("Cache-Control", cacheError)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprint(w, msg)
}
