package site

import (
	"fmt"
	"net/http"
	"time"
)

// coalesce gathers the changes of a burst (a cold start, a batch import) into one
// event, well inside the second a reader may wait for a new bulletin.
const coalesce = 100 * time.Millisecond

// events is the live-update stream (Server-Sent Events): one "change" event with the
// feed's version when the stream opens and after every change. The page re-fetches
// itself on each; it does not depend on the stream to be right.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream lives as long as the reader stays
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events through at once
	w.WriteHeader(http.StatusOK)
	heartbeat := time.NewTicker(s.cfg.Heartbeat)
	defer heartbeat.Stop()
	if _, err := fmt.Fprint(w, "retry: 2000\n\n"); err != nil {
		return
	}
	for {
		changed := s.feed.Changed()
		if _, err := fmt.Fprintf(w, "event: change\ndata: %d\n\n", s.feed.Version()); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	wait:
		for {
			select {
			case <-r.Context().Done():
				return
			case <-s.closing:
				return
			case <-heartbeat.C:
				if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
					return
				}
				if err := rc.Flush(); err != nil {
					return
				}
			case <-changed:
				t := time.NewTimer(coalesce)
				select {
				case <-t.C:
				case <-r.Context().Done():
					t.Stop()
					return
				}
				break wait
			}
		}
	}
}
