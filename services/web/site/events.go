package site

import (
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paeria/pregoner/services/web/feed"
)

// fanout is what every live stream shares, so that a crowd costs one encoding and one
// timer per change instead of one per reader: a single goroutine waits for the feed to
// change, lets the burst settle for coalesce, then wakes every stream at once by
// closing tick; the bytes each stream writes are encoded once per (from, to) pair.
type fanout struct {
	start sync.Once
	mu    sync.Mutex
	tick  chan struct{} // closed when streams should tell the feed's new version
	// recent holds the latest encodings, newest last; replaced, never changed, so
	// streams read it without the lock.
	recent atomic.Pointer[[]encodedEvent]
}

type encodedEvent struct {
	from, to uint64 // from == to: the plain event a stream opens with
	b        []byte
}

// keepEncoded bounds recent: streams are at most a few versions apart.
const keepEncoded = 8

// nextTick returns the channel closed at the next settled change, starting the
// goroutine that closes it on first use. It ends when the server closes.
func (s *Server) nextTick() <-chan struct{} {
	f := &s.fan
	f.start.Do(func() {
		f.tick = make(chan struct{})
		go s.broadcast()
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tick
}

func (s *Server) broadcast() {
	changed := s.feed.Changed()
	for {
		select {
		case <-changed:
		case <-s.closing:
			return
		}
		changed = s.feed.Changed() // taken before the pause: a change during it ticks again
		t := time.NewTimer(coalesce)
		select {
		case <-t.C:
		case <-s.closing:
			t.Stop()
			return
		}
		s.fan.mu.Lock()
		close(s.fan.tick)
		s.fan.tick = make(chan struct{})
		s.fan.mu.Unlock()
	}
}

// change is the JSON of a "bulletin" event: the one bulletin that changed between two
// versions the stream told, and how. live.js fetches that one article when its page
// shows From; otherwise it refetches the page.
type change struct {
	V     string          `json:"v"`
	From  string          `json:"from"`
	Kind  feed.ChangeKind `json:"kind"`
	ID    string          `json:"id"`
	Lang  string          `json:"lang"`
	Group string          `json:"group"`
}

// eventBytes returns what a stream that last told version from writes now, and the
// version it then tells; nil when nothing changed since from. opening asks for the
// plain event a stream starts with. The "change" event (id and data: the version) is
// always there, so a client that knows only it still works; when exactly one bulletin
// changed since from, a "bulletin" event naming it comes first.
func (s *Server) eventBytes(from uint64, opening bool) ([]byte, uint64) {
	to := s.feed.Version()
	if !opening && to == from {
		return nil, to
	}
	key := from
	if opening {
		key = to
	}
	if r := s.fan.recent.Load(); r != nil {
		for _, e := range *r {
			if e.from == key && e.to == to {
				return e.b, to
			}
		}
	}
	var changes []feed.Change
	complete := false
	if !opening {
		changes, to, complete = s.feed.ChangesSince(from)
		if to == from {
			return nil, to
		}
	}
	b := make([]byte, 0, 256)
	if complete && len(changes) == 1 {
		c := changes[0]
		data, err := json.Marshal(change{V: s.version(to), From: s.version(from), Kind: c.Kind, ID: c.ID, Lang: c.Lang, Group: c.Group})
		if err == nil { // strings and a string kind always marshal
			b = append(b, "event: bulletin\ndata: "...)
			b = append(b, data...)
			b = append(b, "\n\n"...)
		}
	}
	v := s.version(to)
	b = append(b, "id: "+v+"\nevent: change\ndata: "+v+"\n\n"...)
	s.fan.mu.Lock()
	defer s.fan.mu.Unlock()
	var next []encodedEvent
	if r := s.fan.recent.Load(); r != nil {
		next = append(next, (*r)[max(0, len(*r)-keepEncoded+1):]...)
	}
	next = append(next, encodedEvent{from: key, to: to, b: b})
	s.fan.recent.Store(&next)
	return b, to
}

// retryBytes is the reconnection hint a stream opens and ends with.
func retryBytes(prefix string) []byte {
	return []byte(prefix + "retry: " + strconv.Itoa(retryHint()) + "\n\n")
}
