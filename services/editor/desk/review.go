package desk

import (
	"context"
	"slices"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
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
	dr, err := d.DraftBy(ctx, id, author)
	if err != nil {
		return nil, err
	}
	dr.Ready, dr.ReadyAt = ready, time.Time{}
	if ready {
		dr.ReadyAt = d.now().UTC()
	}
	if err := d.putDraft(ctx, dr); err != nil {
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
	dr := &Draft{Fields: src.Fields, Author: a.Name, Updated: d.now().UTC(), BaseRev: src.BaseRev}
	if err := d.putDraft(ctx, dr); err != nil {
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

// draftsDone removes the drafts a publish of id finished: the publisher's own and the
// one she published. Colleagues' other drafts of it stay: theirs to finish or drop.
func (d *Desk) draftsDone(ctx context.Context, id, publisher, draftOf string) {
	for _, who := range []string{publisher, draftOf} {
		if who == "" {
			continue
		}
		if dr, err := d.DraftBy(ctx, id, who); err == nil {
			if err := d.drafts.Delete(ctx, dr.key); err != nil {
				d.log.Warn("published, but its draft is still kept", "id", id, "author", who, "err", err)
			}
		}
	}
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
