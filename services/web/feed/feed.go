// Package feed is the public page's model: the bulletins the web channel shows, built
// from their revisions on the bus and from the YouTube delivery records.
//
// The feed is never a source of truth. It is rebuilt from the bus at every start (see
// Follower) and kept up to date from it; the web channel's deliveries apply the same
// revisions, so a revision applied twice is a no-op. A Feed is safe for concurrent use;
// a Snapshot is immutable.
package feed

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

// Entry is one bulletin as the page shows it. Entries are never changed once made: a
// change makes a new Entry, so a Snapshot can be read without locks.
type Entry struct {
	ID    string
	Rev   int
	Title string
	Lang  string
	// Group links translations of one bulletin; the id when the bulletin names none.
	Group  string
	Urgent bool
	// Tags are the bulletin's tags, as staff wrote them (a copy: never changed).
	Tags []string
	// Published is when the bulletin first appeared (its publish_at when it has one).
	Published time.Time
	// Updated is when it was last edited; zero when it never was.
	Updated time.Time
	Live    *bulletin.Live
	// Body is the Markdown body; render it through shared/markdown.
	Body string
	// Gone is set when the page does not show the bulletin: it was retracted or is not
	// (or no longer) on the web channel. Gone entries are kept for the permalink.
	Gone bool
	// Withdrawn is set on a gone bulletin that citizens may have read: it was retracted
	// or taken off the page. Its permalink answers 410 Gone, any other gone one 404.
	Withdrawn bool
	// Changed is when the revision the entry shows was made.
	Changed time.Time
	// WatchURL is the YouTube broadcast of a live announcement, once it exists;
	// WatchAt is when that link last changed.
	WatchURL string
	WatchAt  time.Time
}

// LastModified is the latest time anything the entry shows changed.
func (e *Entry) LastModified() time.Time {
	if e.WatchAt.After(e.Changed) {
		return e.WatchAt
	}
	return e.Changed
}

// Feed holds the latest entry of every bulletin that was ever on the web channel.
type Feed struct {
	mu      sync.Mutex
	entries map[string]*Entry
	watch   map[string]watchLink // by bulletin id
	changed chan struct{}        // closed at the next change
	version atomic.Uint64
	log     []Change // the latest changes, oldest first (changes.go)
	ready   chan struct{}
	once    sync.Once
}

// New returns an empty feed that is not ready yet (see MarkReady).
func New() *Feed {
	return &Feed{
		entries: map[string]*Entry{},
		watch:   map[string]watchLink{},
		changed: make(chan struct{}),
		ready:   make(chan struct{}),
	}
}

// Version counts changes; it grows by at least one with every change.
func (f *Feed) Version() uint64 { return f.version.Load() }

// Changed returns a channel that is closed at the next change after the call.
func (f *Feed) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed
}

// MarkReady tells readers the feed holds everything that was on the bus at start.
func (f *Feed) MarkReady() { f.once.Do(func() { close(f.ready) }) }

// Ready is closed once the feed has caught up with the bus after a start.
func (f *Feed) Ready() <-chan struct{} { return f.ready }

// IsReady reports whether Ready is closed.
func (f *Feed) IsReady() bool {
	select {
	case <-f.ready:
		return true
	default:
		return false
	}
}

// notify must be called with mu held.
func (f *Feed) notify() {
	f.version.Add(1)
	close(f.changed)
	f.changed = make(chan struct{})
}

// Rev returns the revision of id the feed holds, 0 when none.
func (f *Feed) Rev(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e := f.entries[id]; e != nil {
		return e.Rev
	}
	return 0
}

// Len is how many bulletins the feed knows, gone ones included.
func (f *Feed) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.entries)
}

// Get returns the entry of id, or nil.
func (f *Feed) Get(id string) *Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.entries[id]
}

// Apply makes rev the entry of its bulletin unless the feed already holds that revision
// or a newer one, and reports whether anything changed. firstPublished is when the
// bulletin was first published; it is used when the feed has no earlier entry and the
// bulletin has no publish_at. A retraction, or a revision that no longer names the web
// channel, leaves a gone entry.
func (f *Feed) Apply(rev *bulletin.Revision, firstPublished time.Time) bool {
	if rev == nil || rev.Bulletin == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	prev := f.entries[rev.ID]
	if prev != nil && prev.Rev >= rev.Rev {
		return false
	}
	b := rev.Bulletin
	gone := rev.Action == bulletin.Retract || !b.HasChannel(bulletin.Web)
	withdrawn := gone && (rev.Action == bulletin.Retract || (prev != nil && (!prev.Gone || prev.Withdrawn)))
	e := &Entry{ID: rev.ID, Rev: rev.Rev, Title: b.Title, Lang: b.Lang, Group: groupOf(b),
		Urgent: b.Urgent, Tags: slices.Clone(b.Tags), Live: b.Live, Body: b.Body, Changed: rev.At, Gone: gone, Withdrawn: withdrawn}
	if w, ok := f.watch[rev.ID]; ok {
		e.WatchURL, e.WatchAt = w.url, w.at
	}
	switch {
	case b.PublishAt != nil:
		e.Published = b.PublishAt.UTC()
	case prev != nil && !prev.Published.IsZero() && !prev.Gone:
		e.Published = prev.Published
	case rev.Action == bulletin.Publish:
		e.Published = rev.At
	default:
		e.Published = firstPublished
	}
	if e.Published.IsZero() {
		e.Published = rev.At
	}
	if rev.Action == bulletin.Edit {
		e.Updated = rev.At
	}
	f.entries[rev.ID] = e
	f.notify()
	f.record(kindOf(prev, e), e)
	return true
}

func groupOf(b *bulletin.Bulletin) string {
	if b.Group != "" {
		return b.Group
	}
	return b.ID
}

type watchLink struct {
	url string
	at  time.Time
}

// SetWatchURL records the YouTube watch link of a live announcement, changed at at;
// "" removes it.
func (f *Feed) SetWatchURL(id, url string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.watch[id].url == url {
		return
	}
	if url == "" {
		delete(f.watch, id)
	} else {
		f.watch[id] = watchLink{url: url, at: at}
	}
	e := f.entries[id]
	if e != nil {
		c := *e
		c.WatchURL, c.WatchAt = url, at
		f.entries[id] = &c
	}
	f.notify()
	if e != nil && !e.Gone {
		f.record(Corrected, e)
	}
}

// Snapshot returns the feed as it is now. It costs a sort of every entry: call it on
// change, not per request.
func (f *Feed) Snapshot() *Snapshot {
	f.mu.Lock()
	s := &Snapshot{Version: f.version.Load(), ByID: make(map[string]*Entry, len(f.entries))}
	for id, e := range f.entries {
		s.ByID[id] = e
	}
	f.mu.Unlock()
	s.index()
	return s
}
