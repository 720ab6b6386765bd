package site

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

// The public alert feed: bulletins marked with an alert: block are also published as
// OASIS CAP 1.2 messages. An alert is a group: its bulletins in Catalan and Spanish are
// one alert, with an <info> per language. Every revision that changes what the alert
// says is one message: the first an Alert, the next ones Updates, and the one that
// leaves no bulletin of the group on the page a Cancel. Updates and the Cancel
// reference every earlier message of the alert.
//
// The messages are rebuilt from every revision on the bus, in the stream's order, so a
// restarted or second replica issues the same identifiers and sent times, and an Update
// references messages that were really served.

const (
	capSender     = "covid19@paeria.cat"
	capSenderName = "Paeria de Lleida"
	// capIDPrefix starts every identifier: the council's domain and this system.
	capIDPrefix = "paeria.cat:pregoner:"
	// Lleida: the area of every alert, with its INE municipality code.
	capAreaDesc   = "Lleida"
	capGeocodeINE = "25120"
)

// capRef is an earlier message, as a later one references it.
type capRef struct {
	identifier string
	sent       time.Time
}

// capMessage is one CAP message; it never changes once made.
type capMessage struct {
	group   string
	ref     capRef
	msgType string // Alert, Update or Cancel
	// references are the earlier messages of the alert, oldest first (none for an Alert).
	references []capRef
	// infos are the bulletins the message carries, one <info> each, by language.
	infos []*bulletin.Bulletin

	render lazyPage // the XML, rendered on first request
}

// alertGroup is one alert: its bulletins on the page now and its messages so far.
type alertGroup struct {
	members map[string]*bulletin.Bulletin // by bulletin id
	history []capRef                      // since the Alert; empty once cancelled
	latest  *capMessage
}

// alertIndex holds the latest message of every alert. Its zero value is empty and not
// ready; it is safe for concurrent use.
type alertIndex struct {
	mu      sync.Mutex
	groups  map[string]*alertGroup
	member  map[string]string // bulletin id → the group it is on the page in as an alert
	revs    map[string]int    // bulletin id → the last revision applied
	version atomic.Uint64
	ready   atomic.Bool
	atom    atomic.Pointer[capAtomPage]
}

type capAtomPage struct {
	version uint64
	page    *page
}

// apply takes one revision, in the stream's order, and reports whether a message was
// made. A revision already applied (the bus read again) does nothing.
func (x *alertIndex) apply(rev *bulletin.Revision) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.groups == nil {
		x.groups, x.member, x.revs = map[string]*alertGroup{}, map[string]string{}, map[string]int{}
	}
	if rev.Bulletin == nil || rev.Rev <= x.revs[rev.ID] {
		return false
	}
	x.revs[rev.ID] = rev.Rev
	b := rev.Bulletin
	on := rev.Action != bulletin.Retract && b.Alert != nil && b.HasChannel(bulletin.Web)
	group := capGroup(b)
	made := false
	if old, ok := x.member[rev.ID]; ok && (!on || old != group) {
		g := x.groups[old]
		gone := g.members[rev.ID]
		delete(g.members, rev.ID)
		delete(x.member, rev.ID)
		g.issue(old, rev, gone)
		made = true
	}
	if on {
		g := x.groups[group]
		if g == nil {
			g = &alertGroup{members: map[string]*bulletin.Bulletin{}}
			x.groups[group] = g
		}
		g.members[rev.ID] = b
		x.member[rev.ID] = group
		g.issue(group, rev, nil)
		made = true
	}
	if made {
		x.version.Add(1)
	}
	return made
}

// capGroup is the alert a bulletin belongs to: its group, or its id when the group is
// missing or could not be a path segment.
func capGroup(b *bulletin.Bulletin) string {
	if bulletin.CheckID(b.Group) == nil {
		return b.Group
	}
	return b.ID
}

// issue makes the group's message for rev. gone is the bulletin rev took off the alert,
// if any: a Cancel carries it, so readers still learn what was cancelled.
func (g *alertGroup) issue(group string, rev *bulletin.Revision, gone *bulletin.Bulletin) {
	m := &capMessage{group: group, ref: capRef{
		identifier: capIDPrefix + group + ":" + rev.ID + ":" + strconv.Itoa(rev.Rev), sent: rev.At}}
	m.references = slices.Clone(g.history)
	switch {
	case len(g.members) == 0:
		m.msgType, m.infos = "Cancel", []*bulletin.Bulletin{gone}
		g.history = nil // a later publish starts a new alert
	case len(g.history) == 0:
		m.msgType = "Alert"
		g.history = []capRef{m.ref}
	default:
		m.msgType = "Update"
		g.history = append(g.history, m.ref)
	}
	if m.infos == nil {
		for _, b := range g.members {
			m.infos = append(m.infos, b)
		}
		slices.SortFunc(m.infos, func(a, b *bulletin.Bulletin) int {
			return cmp.Or(cmp.Compare(a.Lang, b.Lang), cmp.Compare(a.ID, b.ID))
		})
	}
	g.latest = m
}

// latest is the newest message of the alert group, or nil.
func (x *alertIndex) latest(group string) *capMessage {
	x.mu.Lock()
	defer x.mu.Unlock()
	if g := x.groups[group]; g != nil {
		return g.latest
	}
	return nil
}

// newest is the latest message of every alert, newest first, at most n.
func (x *alertIndex) newest(n int) []*capMessage {
	x.mu.Lock()
	var out []*capMessage
	for _, g := range x.groups {
		out = append(out, g.latest)
	}
	x.mu.Unlock()
	slices.SortFunc(out, func(a, b *capMessage) int {
		return cmp.Or(b.ref.sent.Compare(a.ref.sent), cmp.Compare(a.group, b.group))
	})
	return out[:min(len(out), n)]
}

// isMember reports whether bulletin id is on the page as part of an alert: then every
// revision of it matters, even one without an alert: block.
func (x *alertIndex) isMember(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	_, ok := x.member[id]
	return ok
}
