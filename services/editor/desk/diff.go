package desk

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/bulletin"
)

// DiffLine is one line of a diff: Op is ' ' (same), '-' (removed) or '+' (added).
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// maxDiffCells bounds the LCS table; bigger inputs get a whole-text replacement.
const maxDiffCells = 4_000_000

// Diff is the line diff from a to b (longest common subsequence).
func Diff(a, b string) []DiffLine { return diffSeq(lines(a), lines(b)) }

// diffSeq is the diff of two sequences of lines or paragraphs.
func diffSeq(x, y []string) []DiffLine {
	if len(x)*len(y) > maxDiffCells {
		var out []DiffLine
		for _, l := range x {
			out = append(out, DiffLine{"-", l})
		}
		for _, l := range y {
			out = append(out, DiffLine{"+", l})
		}
		return out
	}
	n, m := len(x), len(y)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			out = append(out, DiffLine{" ", x[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{"-", x[i]})
			i++
		default:
			out = append(out, DiffLine{"+", y[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffLine{"-", x[i]})
	}
	for ; j < m; j++ {
		out = append(out, DiffLine{"+", y[j]})
	}
	return out
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// Changes is what one revision changed, in the words staff use: each field before and
// after, never the file's front matter. A nil or empty field did not change.
type Changes struct {
	// First: the bulletin's first revision (or its first after a retraction): there
	// is nothing before, and the fields are what it was published with.
	First bool `json:"first,omitempty"`
	// Retracted: the revision withdrew the bulletin; Reason is why, as given.
	Retracted bool   `json:"retracted,omitempty"`
	Reason    string `json:"reason,omitempty"`

	Title      *TextChange  `json:"title,omitempty"`
	Paragraphs []TextChange `json:"paragraphs,omitempty"`
	Added      []string     `json:"channels_added,omitempty"`
	Removed    []string     `json:"channels_removed,omitempty"`
	PublishAt  *TimeChange  `json:"publish_at,omitempty"`
	LiveStart  *TimeChange  `json:"live_start,omitempty"`
	LiveTitle  *TextChange  `json:"live_title,omitempty"`
	Urgent     *BoolChange  `json:"urgent,omitempty"`
	Alert      *AlertChange `json:"alert,omitempty"`
	Tags       *ListChange  `json:"tags,omitempty"`
	Lang       *TextChange  `json:"lang,omitempty"`
}

// TextChange is a text before and after; an empty side was not there.
type TextChange struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

// TimeChange is a time before and after; a zero side was not set.
type TimeChange struct {
	Before time.Time `json:"before,omitzero"`
	After  time.Time `json:"after,omitzero"`
}

// BoolChange is a flag before and after.
type BoolChange struct{ Before, After bool }

// AlertChange is the public alert before and after; nil on a side: no alert.
type AlertChange struct{ Before, After *bulletin.Alert }

// ListChange is what a list gained and lost.
type ListChange struct{ Added, Removed []string }

// None reports whether the revision changed nothing a reader sees.
func (c Changes) None() bool {
	return !c.First && !c.Retracted && c.Title == nil && len(c.Paragraphs) == 0 && len(c.Added) == 0 &&
		len(c.Removed) == 0 && c.PublishAt == nil && c.LiveStart == nil && c.LiveTitle == nil &&
		c.Urgent == nil && c.Alert == nil && c.Tags == nil && c.Lang == nil
}

// Compare says what changed from before to after; before nil is a first revision.
func Compare(before, after *bulletin.Bulletin) Changes {
	if after == nil {
		return Changes{}
	}
	if before == nil {
		c := Compare(&bulletin.Bulletin{}, after)
		c.First = true
		return c
	}
	var c Changes
	if before.Title != after.Title {
		c.Title = &TextChange{before.Title, after.Title}
	}
	c.Paragraphs = paragraphChanges(before.Body, after.Body)
	c.Added, c.Removed = listDiff(before.Channels, after.Channels)
	if a, b := timeOf(before.PublishAt), timeOf(after.PublishAt); !a.Equal(b) {
		c.PublishAt = &TimeChange{a, b}
	}
	var lb, la bulletin.Live
	if before.Live != nil {
		lb = *before.Live
	}
	if after.Live != nil {
		la = *after.Live
	}
	if !lb.Start.Equal(la.Start) {
		c.LiveStart = &TimeChange{lb.Start, la.Start}
	}
	if lb.Title != la.Title {
		c.LiveTitle = &TextChange{lb.Title, la.Title}
	}
	if before.Urgent != after.Urgent {
		c.Urgent = &BoolChange{before.Urgent, after.Urgent}
	}
	if !reflect.DeepEqual(before.Alert, after.Alert) {
		c.Alert = &AlertChange{before.Alert, after.Alert}
	}
	if added, removed := listDiff(before.Tags, after.Tags); len(added)+len(removed) > 0 {
		c.Tags = &ListChange{added, removed}
	}
	if before.Lang != after.Lang && before.Lang != "" {
		c.Lang = &TextChange{before.Lang, after.Lang}
	}
	return c
}

// paragraphChanges pairs the paragraphs a revision removed with those it added in
// their place: an edited paragraph reads as before → after, a new one has no before.
func paragraphChanges(a, b string) []TextChange {
	var out []TextChange
	var del, add []string
	flush := func() {
		for i := range max(len(del), len(add)) {
			var c TextChange
			if i < len(del) {
				c.Before = del[i]
			}
			if i < len(add) {
				c.After = add[i]
			}
			out = append(out, c)
		}
		del, add = nil, nil
	}
	for _, l := range diffSeq(paragraphs(a), paragraphs(b)) {
		switch l.Op {
		case "-":
			del = append(del, l.Text)
		case "+":
			add = append(add, l.Text)
		default:
			flush()
		}
	}
	flush()
	return out
}

// paragraphs splits Markdown at blank lines, each paragraph's lines joined as written.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func listDiff(before, after []string) (added, removed []string) {
	for _, x := range after {
		if !slices.Contains(before, x) {
			added = append(added, x)
		}
	}
	for _, x := range before {
		if !slices.Contains(after, x) {
			removed = append(removed, x)
		}
	}
	return added, removed
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// ReasonOf is the reason in a retraction's audit detail (see retractDetail), or "".
func ReasonOf(detail string) string {
	if _, reason, ok := strings.Cut(detail, " — reason: "); ok {
		return reason
	}
	return ""
}

// retractReasons maps each retraction of id ("id@rev") to the reason its audit event
// keeps; a log that cannot be read leaves the reasons out, not the history.
func (d *Desk) retractReasons(ctx context.Context, id string) map[string]string {
	out := map[string]string{}
	if d.audit == nil {
		return out
	}
	found, err := d.audit.Search(ctx, audit.Filter{Bulletin: id, Action: audit.Retract}, 100, 0)
	if err != nil {
		d.log.Warn("history: the retractions' reasons could not be read", "id", id, "err", err)
		return out
	}
	for _, e := range found.Events {
		if _, ok := out[e.Target]; !ok && e.OK {
			out[e.Target] = ReasonOf(e.Detail)
		}
	}
	return out
}

// changesOf is what each revision of a history (oldest first) changed.
func changesOf(revs []*bulletin.Revision, reasons map[string]string) []Changes {
	out := make([]Changes, len(revs))
	var prev *bulletin.Bulletin
	for i, r := range revs {
		if r.Action == bulletin.Retract {
			out[i] = Changes{Retracted: true, Reason: reasons[r.Key()]}
			prev = nil
			continue
		}
		out[i] = Compare(prev, r.Bulletin)
		prev = r.Bulletin
	}
	return out
}
