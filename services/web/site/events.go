package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paeria/pregoner/services/web/feed"
)

// fanout is what every live stream shares, so that a crowd costs one encoding and one
// timer per change instead of one per reader: a single goroutine waits for the feed to
// change, lets the burst settle for coalesce, then wakes every stream at once by
// closing tick; the bytes each stream writes are encoded once per (from, to, language)
// and shared by every stream that needs them.
type fanout struct {
	start sync.Once
	mu    sync.Mutex
	tick  chan struct{} // closed when streams should tell the feed's new version
	// recent holds the latest encodings, newest last; replaced, never changed, so
	// streams look them up without the lock.
	recent atomic.Pointer[[]*encodedEvent]
}

// eventKey names one encoding: what a stream that told from and sees to writes, in its
// page's language ("" for a stream without one). from == to: the opening event.
type eventKey struct {
	from, to uint64
	lang     string
}

// encodedEvent is one encoding, made once (once) by whichever stream needs it first
// while the others of the crowd wait for it instead of each rendering its own.
type encodedEvent struct {
	key  eventKey
	once sync.Once
	b    []byte // nil: nothing to tell
	to   uint64 // the version b tells (the feed may have moved on since key.to)
}

// keepEncoded bounds recent: streams are at most a few versions apart, in a couple of
// languages.
const keepEncoded = 16

// inlineMax is the largest article an event carries inline (list articles are
// excerpts, ~1–2 KB). A larger one is only named, and live.js fetches it, so that one
// huge article does not multiply into every stream's buffer.
const inlineMax = 16 << 10

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
// versions the stream told, and how. On a stream of a list's first page (one with a
// language) it also carries what that list now shows of the bulletin's group: Article,
// the rendered <article> exactly as /{lang}/article/{id} serves it, or Remove when the
// list shows nothing of the group any more; Total, the bulletins the list now holds;
// and Pages, the first page's page links, when the list has just reached one more
// page than a page holds (size·k + 1 bulletins), so that a new bulletin that adds a
// page is still applied in place. live.js applies all this without a request; with
// neither Article nor Remove (an article over inlineMax, a stream without a language)
// it fetches the article, and when its page is not at From it refetches the page.
type change struct {
	V       string          `json:"v"`
	From    string          `json:"from"`
	Kind    feed.ChangeKind `json:"kind"`
	ID      string          `json:"id"`
	Lang    string          `json:"lang"`
	Group   string          `json:"group"`
	Article string          `json:"article,omitempty"`
	Remove  bool            `json:"remove,omitempty"`
	Total   int             `json:"total,omitempty"`
	Pages   string          `json:"pages,omitempty"`
}

// eventBytes returns what a stream in lang ("" for none) that last told version from
// writes now, and the version it then tells; nil when nothing changed since from.
// opening asks for the plain event a stream starts with. Every stream at the same
// versions and language gets the same bytes, encoded once.
func (s *Server) eventBytes(from uint64, opening bool, lang string) ([]byte, uint64) {
	to := s.feed.Version()
	if !opening && to == from {
		return nil, to
	}
	key := eventKey{from: from, to: to, lang: lang}
	if opening {
		key = eventKey{from: to, to: to} // the same for every language
	}
	e := s.fan.lookup(key)
	e.once.Do(func() { e.b, e.to = s.encodeEvent(key) })
	return e.b, e.to
}

// lookup returns the encoding of key, adding an empty one when there is none yet.
func (f *fanout) lookup(key eventKey) *encodedEvent {
	find := func() *encodedEvent {
		if r := f.recent.Load(); r != nil {
			for _, e := range *r {
				if e.key == key {
					return e
				}
			}
		}
		return nil
	}
	if e := find(); e != nil {
		return e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e := find(); e != nil {
		return e
	}
	e := &encodedEvent{key: key}
	var next []*encodedEvent
	if r := f.recent.Load(); r != nil {
		next = append(next, (*r)[max(0, len(*r)-keepEncoded+1):]...)
	}
	next = append(next, e)
	f.recent.Store(&next)
	return e
}

// encodeEvent makes the bytes of key. The "change" event (id and data: the version) is
// always there, so a client that knows only it still works; when exactly one bulletin
// changed since key.from, a "bulletin" event describing it comes first.
func (s *Server) encodeEvent(key eventKey) ([]byte, uint64) {
	to := key.to
	var changes []feed.Change
	complete := false
	if key.from != key.to {
		changes, to, complete = s.feed.ChangesSince(key.from)
		if to == key.from {
			return nil, to
		}
	}
	b := make([]byte, 0, 256)
	if complete && len(changes) == 1 {
		c := changes[0]
		ch := change{V: s.version(to), From: s.version(key.from), Kind: c.Kind, ID: c.ID, Lang: c.Lang, Group: c.Group}
		if key.lang != "" {
			s.inline(&ch, key.lang, to)
		}
		var data bytes.Buffer
		enc := json.NewEncoder(&data)
		enc.SetEscapeHTML(false)   // JSON for JSON.parse, not HTML: "<" need not grow to 6 bytes
		if enc.Encode(ch) == nil { // strings, a bool and a string kind always encode
			b = append(b, "event: bulletin\ndata: "...)
			b = append(b, bytes.TrimSuffix(data.Bytes(), []byte("\n"))...) // JSON escapes every newline inside
			b = append(b, "\n\n"...)
		}
	}
	v := s.version(to)
	b = append(b, "id: "+v+"\nevent: change\ndata: "+v+"\n\n"...)
	return b, to
}

// inline puts into ch what a list in lang shows of ch's group at version to: its
// article, or Remove. It leaves ch as it is (live.js then fetches) when the rendered
// site is not at to, the render fails or the article is over inlineMax.
func (s *Server) inline(ch *change, lang string, to uint64) {
	st := s.current()
	if st.snap.Version != to {
		return
	}
	ch.Total = len(st.snap.List(lang))
	if size := s.cfg.PageSize; ch.Total > size && ch.Total%size == 1 {
		nav, err := s.firstPageLinks(lang, s.pages(st.snap, lang))
		if err != nil {
			s.log.Warn("live event without page links; readers refetch the page", "lang", lang, "err", err)
		}
		ch.Pages = nav
	}
	shown := st.snap.Shown(ch.Group, lang)
	if shown == nil {
		ch.Remove = true
		return
	}
	p, err := st.get("article:"+lang+":"+shown.ID, func() (*page, error) { return s.renderArticle(shown, lang) })
	if err != nil {
		s.log.Warn("live event without its article; readers fetch it", "id", shown.ID, "lang", lang, "err", err)
		return
	}
	if len(p.body) <= s.inlineMax {
		ch.Article = string(p.body)
	}
}

// firstPageLinks renders the page links of a list's first page in lang out of pages,
// as renderList does.
func (s *Server) firstPageLinks(lang string, pages int) (string, error) {
	v := s.newView(lang, "list")
	v.Page, v.Pages, v.OlderHref = 1, pages, v.Home+"?page=2"
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, "pages", v); err != nil {
		return "", fmt.Errorf("render page links: %w", err)
	}
	return buf.String(), nil
}

// retryBytes is the reconnection hint a stream opens and ends with.
func retryBytes(prefix string) []byte {
	return []byte(prefix + "retry: " + strconv.Itoa(retryHint()) + "\n\n")
}
