package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/bulletin"
)

// Draft is a bulletin being written, not yet published.
type Draft struct {
	Fields  Fields    `json:"fields"`
	Author  string    `json:"author"`
	Updated time.Time `json:"updated"`
	// BaseRev is the published revision the draft edits; 0 for a new bulletin.
	BaseRev int `json:"base_rev,omitempty"`
}

// SaveDraft keeps f under its id so it can be finished, or published by a publisher,
// later. Writers may save drafts; nothing reaches the channels.
func (d *Desk) SaveDraft(ctx context.Context, a Actor, f Fields, baseRev int) error {
	if err := d.allow(ctx, a, "save a draft", accounts.Writer, f.ID); err != nil {
		return err
	}
	if bulletin.CheckID(f.ID) != nil {
		return &InvalidError{Problems: []Problem{{Field: "id", Message: "give the bulletin a valid id first (" + bulletin.IDRule + ", e.g. 2020-03-14-confinament); the draft is kept under it"}}}
	}
	data, err := json.Marshal(Draft{Fields: f, Author: a.Name, Updated: d.now().UTC(), BaseRev: baseRev})
	if err != nil {
		return err
	}
	if _, err := d.drafts.Put(ctx, f.ID, data); err != nil {
		return fmt.Errorf("save draft %s: %w", f.ID, err)
	}
	d.record(ctx, a, audit.SaveDraft, f.ID, true, f.Title)
	return nil
}

// Draft returns the draft of id, or *NotFoundError.
func (d *Desk) Draft(ctx context.Context, id string) (*Draft, error) {
	if err := checkID("draft", id); err != nil {
		return nil, err
	}
	e, err := d.drafts.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, &NotFoundError{What: "draft " + id}
	}
	if err != nil {
		return nil, fmt.Errorf("draft %s: %w", id, err)
	}
	var dr Draft
	if err := json.Unmarshal(e.Value(), &dr); err != nil {
		return nil, fmt.Errorf("draft %s: %w", id, err)
	}
	return &dr, nil
}

// Drafts lists every draft.
func (d *Desk) Drafts(ctx context.Context) ([]*Draft, error) {
	lister, err := d.drafts.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list drafts: %w", err)
	}
	var out []*Draft
	for k := range lister.Keys() {
		dr, err := d.Draft(ctx, k)
		var nf *NotFoundError
		if errors.As(err, &nf) || errors.Is(err, bulletin.ErrBadID) {
			continue // deleted meanwhile, or a key no bulletin can have
		}
		if err != nil {
			return nil, err
		}
		out = append(out, dr)
	}
	return out, nil
}

// DeleteDraft throws a draft away.
func (d *Desk) DeleteDraft(ctx context.Context, a Actor, id string) error {
	if err := checkID("delete draft", id); err != nil {
		return err
	}
	if err := d.allow(ctx, a, "delete a draft", accounts.Writer, id); err != nil {
		return err
	}
	if _, err := d.Draft(ctx, id); err != nil {
		return err
	}
	if err := d.drafts.Delete(ctx, id); err != nil {
		return fmt.Errorf("delete draft %s: %w", id, err)
	}
	d.record(ctx, a, audit.DeleteDraft, id, true, "")
	return nil
}
