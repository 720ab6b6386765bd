package desk

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/bulletin"
)

// MarkReady marks author's draft of id ready for review (ready true) or takes the mark
// back: publishers find the marked drafts at the top of the list. The author marks her
// own; a publisher may unmark any (say, to send it back).
func (d *Desk) MarkReady(ctx context.Context, a Actor, id, author string, ready bool) (*Draft, error) {
	if err := checkID("mark draft", id); err != nil {
		return nil, err
	}
	if err := d.allow(ctx, a, "mark a draft ready for review", accounts.Writer, id); err != nil {
		return nil, err
	}
	if author != a.Name {
		if err := d.allow(ctx, a, "mark someone else's draft", accounts.Publisher, id); err != nil {
			return nil, err
		}
	}
	dr, err := d.updateDraft(ctx, id, author, func(dr *Draft) (*Draft, error) {
		if dr == nil {
			return nil, &NotFoundError{What: fmt.Sprintf("draft of %s by %s", id, author), Thing: "draft", ID: id, Author: author}
		}
		dr.Ready, dr.ReadyAt = ready, time.Time{}
		if ready {
			dr.ReadyAt = d.now().UTC()
		}
		return dr, nil
	})
	if err != nil {
		return nil, err
	}
	action := audit.DraftReady
	if !ready {
		action = audit.DraftUnready
	}
	d.record(ctx, a, action, id, true, "draft of "+author+": "+dr.Fields.Title)
	return dr, nil
}

// ForReview lists the drafts marked ready for review, the longest waiting first.
func (d *Desk) ForReview(ctx context.Context) (DraftList, error) {
	all, err := d.Drafts(ctx)
	return all.Ready(), err
}

// TakeOver copies author's draft of id into the actor's own, to carry on with it. Hers
// is kept as it is; the copy is audited, naming whose it was.
func (d *Desk) TakeOver(ctx context.Context, a Actor, id, author string) (*Draft, error) {
	if err := checkID("take over draft", id); err != nil {
		return nil, err
	}
	if err := d.allow(ctx, a, "take over a draft", accounts.Writer, id); err != nil {
		return nil, err
	}
	src, err := d.DraftBy(ctx, id, author)
	if err != nil {
		return nil, err
	}
	if author == a.Name {
		return src, nil // her own already
	}
	dr, err := d.updateDraft(ctx, id, a.Name, func(*Draft) (*Draft, error) {
		return &Draft{Fields: src.Fields, Author: a.Name, Updated: d.now().UTC(), BaseRev: src.BaseRev}, nil
	})
	if err != nil {
		return nil, err
	}
	d.record(ctx, a, audit.TakeOverDraft, id, true, "from "+author+": "+src.Fields.Title)
	return dr, nil
}

// Others lists the drafts of id by anyone but name: who else is editing it.
func (d *Desk) Others(ctx context.Context, id, name string) ([]*Draft, error) {
	all, err := d.DraftsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(dr *Draft) bool { return dr.Author == name }), nil
}

// writerOf is the writer a publish of id names: the author of the draft being
// published, when that draft exists (a client cannot name a writer who wrote nothing).
func (d *Desk) writerOf(ctx context.Context, id, draftOf string) string {
	if draftOf == "" {
		return ""
	}
	if _, err := d.DraftBy(ctx, id, draftOf); err != nil {
		return ""
	}
	return draftOf
}

// draftsDone removes the drafts a publish of id finished: the one she published (in's
// DraftOf, at revision in.DraftRev) and the publisher's own. A draft changed since the
// publisher read it is kept — its author went on writing — and so is a named draft
// whose revision the client did not send, unless it holds the published text: a
// client's draft_of alone never deletes a colleague's work. Each removal is audited,
// naming the publish; kept lists whose drafts stayed, for the publisher to hear.
func (d *Desk) draftsDone(ctx context.Context, a Actor, b *bulletin.Bulletin, in Intent, done string) (kept []string) {
	for _, who := range doneAuthors(a.Name, in.DraftOf) {
		dr, err := d.DraftBy(ctx, b.ID, who)
		if err != nil {
			continue // none, or unreadable: nothing to remove
		}
		named := who == in.DraftOf
		if !draftFinished(dr, named, in.DraftRev, b) {
			if named {
				kept = append(kept, who)
			}
			continue
		}
		if err := d.drafts.Delete(ctx, dr.key, jetstream.LastRevision(dr.Rev)); err != nil {
			if lostDraftRace(err) && named {
				kept = append(kept, who) // changed between the read and the delete
			} else if !lostDraftRace(err) {
				d.log.Warn("published, but its draft is still kept", "id", b.ID, "author", who, "err", err)
			}
			continue
		}
		d.record(ctx, a, audit.DeleteDraft, b.ID, true, "draft of "+who+", done by "+done)
	}
	return kept
}

// doneAuthors are whose drafts a publish by publisher of draftOf's draft may finish.
func doneAuthors(publisher, draftOf string) []string {
	if draftOf == "" || draftOf == publisher {
		return []string{publisher}
	}
	return []string{draftOf, publisher}
}

// draftFinished decides whether a publish finished dr. The named draft is finished when
// it is still at the revision the publisher opened (rev), or, when no revision was sent,
// when it holds the text published; the publisher's own unnamed draft only in the
// latter case.
func draftFinished(dr *Draft, named bool, rev uint64, b *bulletin.Bulletin) bool {
	if named && rev != 0 {
		return dr.Rev == rev
	}
	return sameText(dr.Fields, b)
}

// sameText reports whether fields hold what b says, as a publish of them would.
func sameText(f Fields, b *bulletin.Bulletin) bool {
	got, err := bulletin.Parse("bulletin.md", f.Source(), bulletin.Options{})
	return err == nil && got.Hash() == b.Hash()
}

// RetractReason is the reason given for the retraction of id at rev, or "".
func (d *Desk) RetractReason(ctx context.Context, id string, rev int) string {
	return d.retractReasons(ctx, id)[bulletin.RevisionKey(id, rev)]
}

// DraftList is a list of drafts, as the bulletin list shows them.
type DraftList []*Draft

// Ready lists the drafts marked ready for review, the longest waiting first.
func (l DraftList) Ready() DraftList {
	var out DraftList
	for _, dr := range l {
		if dr.Ready {
			out = append(out, dr)
		}
	}
	slices.SortFunc(out, func(a, b *Draft) int { return a.ReadyAt.Compare(b.ReadyAt) })
	return out
}
