package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Drafts are written compare-and-set on the revision read (Create for a new one), so
// two writes of one draft at once — a save in two tabs, a save and a review mark —
// never silently undo each other.

// maxDraftAttempts bounds the re-reads of a draft write that keeps losing to another
// write of the same draft (two tabs, a save and a review mark); each loss means the
// other write went through.
const maxDraftAttempts = 5

// updateDraft writes author's draft of id as change makes it from the one kept (nil
// when she has none yet), compare-and-set on the revision read: a write in between is
// re-read and change applied to it again, so neither write is lost.
func (d *Desk) updateDraft(ctx context.Context, id, author string, change func(old *Draft) (*Draft, error)) (*Draft, error) {
	for range maxDraftAttempts {
		old, err := d.DraftBy(ctx, id, author)
		var nf *NotFoundError
		if errors.As(err, &nf) {
			old, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
		dr, err := change(old)
		if err != nil {
			return nil, err
		}
		var rev uint64
		if old != nil {
			dr.key = old.key
			if old.key == draftKey(id, author) {
				rev = old.Rev
			}
		}
		err = d.putDraft(ctx, dr, rev)
		if lostDraftRace(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return dr, nil
	}
	return nil, fmt.Errorf("save draft %s: %w", id, ErrDraftBusy)
}

// ErrDraftBusy: a draft kept changing under a write, more times than are retried.
var ErrDraftBusy = errors.New("the draft was changed several times at once; try again")

// lostDraftRace reports a compare-and-set that found another write's revision.
func lostDraftRace(err error) bool {
	return errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch)
}

// putDraft writes dr under its author's key: created when rev is 0, else only over
// revision rev (lostDraftRace otherwise). dr.Rev is the new revision after.
func (d *Desk) putDraft(ctx context.Context, dr *Draft, rev uint64) error {
	dr.Who = AuthorKey(dr.Author)
	stored := *dr
	stored.Rev = 0
	data, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	key := draftKey(dr.Fields.ID, dr.Author)
	var newRev uint64
	if rev == 0 {
		newRev, err = d.drafts.Create(ctx, key, data)
	} else {
		newRev, err = d.drafts.Update(ctx, key, data, rev)
	}
	if err != nil {
		return fmt.Errorf("save draft %s: %w", dr.Fields.ID, err)
	}
	if dr.key != "" && dr.key != key {
		_ = d.drafts.Delete(ctx, dr.key) // an old-style key: the draft now lives under its author
	}
	dr.key, dr.Rev = key, newRev
	return nil
}
