package feed

// ChangeKind says how one change touched a bulletin, as a reader of the page sees it.
type ChangeKind string

const (
	Published ChangeKind = "published" // it appeared on the page (new, or back after a retraction)
	Corrected ChangeKind = "corrected" // it was on the page and shows something else now
	Retracted ChangeKind = "retracted" // it left the page (retracted or taken off the web channel)
)

// Change is one change of the feed: the version it made, and the bulletin it touched.
// Live updates carry it so that an open page fetches one article instead of itself.
type Change struct {
	Version uint64
	Kind    ChangeKind
	ID      string
	Lang    string
	Group   string
}

// changeLog bounds how many changes the feed remembers: a stream that is further
// behind than that is told only the version, and the page refetches itself whole.
const changeLog = 64

// kindOf is how replacing prev (nil when none) with next looks to a reader.
func kindOf(prev, next *Entry) ChangeKind {
	switch {
	case next.Gone:
		return Retracted
	case prev == nil || prev.Gone:
		return Published
	default:
		return Corrected
	}
}

// record appends the change made by e; mu must be held, after the version was bumped.
func (f *Feed) record(kind ChangeKind, e *Entry) {
	c := Change{Version: f.version.Load(), Kind: kind, ID: e.ID, Lang: e.Lang, Group: e.Group}
	if len(f.log) == changeLog {
		copy(f.log, f.log[1:])
		f.log = f.log[:changeLog-1]
	}
	f.log = append(f.log, c)
}

// ChangesSince returns the changes after version from, oldest first, up to the version
// it returns alongside them. complete is false when the feed does not remember all of
// them (too many, or a change that touched no one bulletin): the caller then knows
// only that the feed changed.
func (f *Feed) ChangesSince(from uint64) (changes []Change, to uint64, complete bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	to = f.version.Load()
	if to <= from {
		return nil, to, true
	}
	need := to - from
	if uint64(len(f.log)) < need || f.log[len(f.log)-1].Version != to || f.log[len(f.log)-int(need)].Version != from+1 {
		return nil, to, false
	}
	return append([]Change(nil), f.log[len(f.log)-int(need):]...), to, true
}
