package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/delivery"
)

// keepAlive is how often an idle event stream sends a comment, so proxies keep it open.
const keepAlive = 25 * time.Second

// cellUpdate is one delivery state change, as the list page's script reads it.
type cellUpdate struct {
	ID      string `json:"id"`
	Channel string `json:"channel"`
	Rev     int    `json:"rev"`
	State   string `json:"state"`
	Error   string `json:"error,omitempty"`
	// Advice is the failure's reason in the member's words, with what to do.
	Advice string `json:"advice,omitempty"`
	URL    string `json:"url,omitempty"`
}

// events streams delivery state changes (Server-Sent Events) so the list and a
// bulletin's page update live, and "changed" when the schedules change, on which the
// page re-reads itself (app.js). The browser reconnects by itself when it drops. The
// stream ends with its session — logout, expiry, the account's removal — checked every
// SessionCheck without touching it, so an open tab keeps no session alive; it says
// "ended" first, so the page's script stops rather than reconnects.
func (s *Server) events(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	var sessionID string
	if c, err := r.Cookie(CookieName); err == nil {
		sessionID = c.Value
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	ctx := r.Context()
	lang := s.langOf(r, u)
	var changes <-chan struct{}
	updates, err := s.desk.Watch(ctx)
	if err == nil {
		changes, err = s.desk.WatchChanges(ctx)
	}
	if err != nil {
		s.log.Error("watch deliveries", "err", err)
		http.Error(w, s.words.T(lang, "live.unavailable"), http.StatusServiceUnavailable)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	check := time.NewTicker(s.opts.SessionCheck)
	defer check.Stop()
	for {
		select {
		case <-check.C:
			if err := s.acc.SessionAlive(ctx, sessionID, s.opts.Sessions); err != nil {
				if !errors.Is(err, accounts.ErrNoSession) {
					s.log.Warn("live stream: session check failed; ending the stream", "err", err)
				}
				_, _ = fmt.Fprint(w, "event: ended\ndata: {}\n\n")
				_ = rc.Flush()
				return
			}
			continue
		case <-ctx.Done():
			return
		case <-s.opts.Stopping:
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case <-changes:
			// A schedule came, went or went out: live pages re-read themselves.
			if _, err := fmt.Fprint(w, "event: changed\ndata: {}\n\n"); err != nil {
				return
			}
		case rec, ok := <-updates:
			if !ok {
				return
			}
			cu := cellUpdate{ID: rec.ID, Channel: rec.Channel, Rev: rec.Rev, State: string(rec.State), Error: rec.Error, URL: rec.Ref.URL}
			if rec.Reason != "" || rec.State == delivery.Dead {
				cu.Advice = s.words.T(lang, desk.ReasonKey(rec.Reason))
			}
			data, _ := json.Marshal(cu)
			if _, err := fmt.Fprintf(w, "event: delivery\ndata: %s\n\n", data); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
