package desk

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// Draft is a bulletin being written, not yet published. Each member has her own draft
// of a bulletin, so colleagues writing the same bulletin never overwrite each other.
type Draft struct {
	Fields  Fields    `json:"fields"`
	Author  string    `json:"author"`
	Updated time.Time `json:"updated"`
	// BaseRev is the published revision the draft edits; 0 for a new bulletin.
	BaseRev int `json:"base_rev,omitempty"`
	// Ready is set while the author asks a publisher to review and publish it.
	Ready   bool      `json:"ready,omitempty"`
	ReadyAt time.Time `json:"ready_at,omitzero"`
	// Who is the author's name encoded as in the draft's key (AuthorKey), for links.
	Who string `json:"who"`
	// Rev is the draft's revision in the bucket as read: a publish of it sends it back
	// (Intent.DraftRev), so the draft is removed only if its author did not change it
	// since. It is never stored: the bucket keeps it.
	Rev uint64 `json:"rev,omitempty"`
	// key is where the draft is kept in the bucket: "<id>.<AuthorKey(author)>", or the
	// bare id of a draft saved before drafts had authors in their key.
	key string
}

// AuthorKey encodes a member's name for a bucket key and an address: NATS keys allow
// only [-/_=.a-zA-Z0-9] and names may hold any letter ("núria"), so the name is
// written in base64url without padding, whose alphabet fits both.
func AuthorKey(name string) string { return base64.RawURLEncoding.EncodeToString([]byte(name)) }

// authorOf decodes AuthorKey; false when who is not one.
func authorOf(who string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(who)
	return string(b), err == nil && who != ""
}

func draftKey(id, author string) string { return id + "." + AuthorKey(author) }

// SaveDraft keeps f as the actor's own draft of its id, so it can be finished, or
// published by a publisher, later; a colleague's draft of the same bulletin is never
// touched. A new bulletin's draft may not take an id already published. Writers may
// save drafts; nothing reaches the channels. Saving keeps the draft's review mark.
func (d *Desk) SaveDraft(ctx context.Context, a Actor, f Fields, baseRev int) error {
	if err := d.allow(ctx, a, "save a draft", accounts.Writer, f.ID); err != nil {
		return err
	}
	if bulletin.CheckID(f.ID) != nil {
		return &InvalidError{Problems: []Problem{{Field: "id", Message: "give the bulletin a valid id first (" + bulletin.IDRule + ", e.g. 2020-03-14-confinament); the draft is kept under it",
			Msg: i18n.M("problem.draftNeedsID")}}}
	}
	if baseRev == 0 {
		latest, _, err := d.pub.Latest(ctx, f.ID)
		if err != nil && !errors.Is(err, bus.ErrNotFound) {
			return fmt.Errorf("save draft %s: %w", f.ID, err)
		}
		if err == nil && latest.Action != bulletin.Retract {
			return &InvalidError{Problems: []Problem{{Field: "id", Message: fmt.Sprintf("%q is already published (revision %d, %q); choose another id, or open that bulletin to edit it", f.ID, latest.Rev, latest.Bulletin.Title),
				Msg: i18n.M("problem.alreadyPublished", f.ID, fmt.Sprint(latest.Rev), i18n.Raw(latest.Bulletin.Title))}}}
		}
	}
	_, err := d.updateDraft(ctx, f.ID, a.Name, func(old *Draft) (*Draft, error) {
		dr := &Draft{Fields: f, Author: a.Name, Updated: d.now().UTC(), BaseRev: baseRev}
		if old != nil {
			dr.Ready, dr.ReadyAt = old.Ready, old.ReadyAt
		}
		return dr, nil
	})
	if err != nil {
		return err
	}
	d.record(ctx, a, audit.SaveDraft, f.ID, true, f.Title)
	return nil
}

// getDraft reads the draft under key, or *NotFoundError.
func (d *Desk) getDraft(ctx context.Context, key string) (*Draft, error) {
	e, err := d.drafts.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, &NotFoundError{What: "draft " + key, Thing: "draft"}
	}
	if err != nil {
		return nil, fmt.Errorf("draft %s: %w", key, err)
	}
	var dr Draft
	if err := json.Unmarshal(e.Value(), &dr); err != nil {
		return nil, fmt.Errorf("draft %s: %w", key, err)
	}
	dr.key, dr.Who, dr.Rev = key, AuthorKey(dr.Author), e.Revision()
	return &dr, nil
}

// DraftBy returns author's draft of id, or *NotFoundError.
func (d *Desk) DraftBy(ctx context.Context, id, author string) (*Draft, error) {
	if err := checkID("draft", id); err != nil {
		return nil, err
	}
	dr, err := d.getDraft(ctx, draftKey(id, author))
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		return dr, err
	}
	// A draft saved before drafts were kept per author sits under the bare id.
	if old, err := d.getDraft(ctx, id); err == nil && old.Author == author {
		return old, nil
	}
	return nil, &NotFoundError{What: fmt.Sprintf("draft of %s by %s", id, author), Thing: "draft", ID: id, Author: author}
}

// DraftByKey is DraftBy with the author as AuthorKey encodes her, as addresses carry it.
func (d *Desk) DraftByKey(ctx context.Context, id, who string) (*Draft, error) {
	author, ok := authorOf(who)
	if !ok {
		return nil, &NotFoundError{What: "draft of " + id + " (the address names no author)", Thing: "draft", ID: id}
	}
	return d.DraftBy(ctx, id, author)
}

// Draft returns the most recently saved draft of id, whoever wrote it, or
// *NotFoundError.
func (d *Desk) Draft(ctx context.Context, id string) (*Draft, error) {
	ds, err := d.DraftsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, &NotFoundError{What: "draft " + id, Thing: "draft", ID: id}
	}
	return ds[0], nil
}

// DraftsOf lists every member's draft of id, the most recently saved first.
func (d *Desk) DraftsOf(ctx context.Context, id string) ([]*Draft, error) {
	if err := checkID("drafts", id); err != nil {
		return nil, err
	}
	return d.listDrafts(ctx, id, id+".*") // the bare id: a draft from before authors had keys
}

// Drafts lists every draft, the most recently saved first.
func (d *Desk) Drafts(ctx context.Context) (DraftList, error) {
	return d.listDrafts(ctx)
}

func (d *Desk) listDrafts(ctx context.Context, filters ...string) (DraftList, error) {
	var (
		lister jetstream.KeyLister
		err    error
	)
	if len(filters) == 0 {
		lister, err = d.drafts.ListKeys(ctx)
	} else {
		lister, err = d.drafts.ListKeysFiltered(ctx, filters...)
	}
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list drafts: %w", err)
	}
	// Every key is read before any draft is: a lister left with keys unread blocks
	// its goroutine for good, and a filtered listing may report a key twice.
	var out DraftList
	for _, k := range draftKeys(lister.Keys()) {
		dr, err := d.getDraft(ctx, k)
		var nf *NotFoundError
		if errors.As(err, &nf) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, dr)
	}
	slices.SortFunc(out, func(a, b *Draft) int { return b.Updated.Compare(a.Updated) })
	return out, nil
}

// draftKeys drains keys and returns each key a draft can have once, in order.
func draftKeys(keys <-chan string) []string {
	seen := map[string]bool{}
	var out []string
	for k := range keys {
		id, _, _ := strings.Cut(k, ".")
		if seen[k] || bulletin.CheckID(id) != nil {
			continue // listed already, or a key no bulletin can have
		}
		seen[k] = true
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// hasDrafts reports whether anyone has a draft of id.
func (d *Desk) hasDrafts(ctx context.Context, id string) (bool, error) {
	ds, err := d.DraftsOf(ctx, id)
	return len(ds) > 0, err
}

// DeleteDraft throws the actor's own draft of id away.
func (d *Desk) DeleteDraft(ctx context.Context, a Actor, id string) error {
	return d.DeleteDraftBy(ctx, a, id, a.Name)
}

// DeleteDraftBy throws author's draft of id away. Only its author or a publisher may:
// a writer cannot throw away a colleague's work.
func (d *Desk) DeleteDraftBy(ctx context.Context, a Actor, id, author string) error {
	if err := checkID("delete draft", id); err != nil {
		return err
	}
	if err := d.allow(ctx, a, "delete a draft", accounts.Writer, id); err != nil {
		return err
	}
	if author != a.Name {
		if err := d.allow(ctx, a, "delete someone else's draft", accounts.Publisher, id); err != nil {
			return err
		}
	}
	dr, err := d.DraftBy(ctx, id, author)
	if err != nil {
		return err
	}
	if err := d.drafts.Delete(ctx, dr.key); err != nil {
		return fmt.Errorf("delete draft %s: %w", id, err)
	}
	detail := ""
	if author != a.Name {
		detail = "draft of " + author
	}
	d.record(ctx, a, audit.DeleteDraft, id, true, detail)
	return nil
}
