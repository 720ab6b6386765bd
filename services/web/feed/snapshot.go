package feed

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Snapshot is the feed at one version. It is immutable and safe for concurrent use.
type Snapshot struct {
	Version uint64
	// ByID holds every entry, gone ones too.
	ByID map[string]*Entry
	// Newest is every entry that is shown, newest first (urgent ones are not pinned).
	Newest []*Entry
	// Modified is the latest change of any entry; zero for an empty feed.
	Modified time.Time

	groups map[string][]*Entry // shown entries by group, oldest first
	byLang sync.Map            // lang → []*Entry, computed on first use
}

func (s *Snapshot) index() {
	s.groups = map[string][]*Entry{}
	for _, e := range s.ByID {
		if m := e.LastModified(); m.After(s.Modified) {
			s.Modified = m
		}
		if e.Gone {
			continue
		}
		s.Newest = append(s.Newest, e)
		s.groups[e.Group] = append(s.groups[e.Group], e)
	}
	slices.SortFunc(s.Newest, newestFirst)
	for _, g := range s.groups {
		slices.SortFunc(g, func(a, b *Entry) int { return -newestFirst(a, b) })
	}
}

func newestFirst(a, b *Entry) int {
	if c := b.Published.Compare(a.Published); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// List is what a reader of lang sees: one entry per bulletin, in lang when a translation
// exists and otherwise in the language it was first published in; urgent bulletins
// first, then newest first.
func (s *Snapshot) List(lang string) []*Entry {
	if l, ok := s.byLang.Load(lang); ok {
		return l.([]*Entry)
	}
	l := make([]*Entry, 0, len(s.groups))
	for _, g := range s.groups {
		l = append(l, pick(g, lang))
	}
	slices.SortFunc(l, func(a, b *Entry) int {
		if a.Urgent != b.Urgent {
			if a.Urgent {
				return -1
			}
			return 1
		}
		return newestFirst(a, b)
	})
	v, _ := s.byLang.LoadOrStore(lang, l) // two first readers compute the same list
	return v.([]*Entry)
}

// pick is the entry of group g (oldest first, not empty) a reader of lang sees.
func pick(g []*Entry, lang string) *Entry {
	p := g[0] // the original: first published
	for _, e := range g {
		if e.Lang == lang {
			p = e // the newest in lang wins (g is oldest first)
		}
	}
	return p
}

// Shown is the entry of group a reader of lang sees in List(lang); nil when the page
// shows nothing of that group.
func (s *Snapshot) Shown(group, lang string) *Entry {
	g := s.groups[group]
	if len(g) == 0 {
		return nil
	}
	return pick(g, lang)
}

// Translations returns the other shown entries of e's group, oldest first.
func (s *Snapshot) Translations(e *Entry) []*Entry {
	var out []*Entry
	for _, t := range s.groups[e.Group] {
		if t.ID != e.ID {
			out = append(out, t)
		}
	}
	return out
}
