package delivery

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/paeria/pregoner/shared/bulletin"
)

// ChannelStatus is where a bulletin stands on one channel, as staff see it.
type ChannelStatus struct {
	Channel string `json:"channel"`
	State   State  `json:"state"`
	// Record is the stored record; nil when the channel has not handled the bulletin yet.
	Record *Record `json:"record,omitempty"`
}

// Status is where a bulletin stands on every channel its latest revision names (and on
// any other channel that still has a record of it).
type Status struct {
	Latest   *bulletin.Revision `json:"latest"`
	Channels []ChannelStatus    `json:"channels"`
}

// GetStatus combines the latest revision of id with its delivery records. A channel
// whose record is older than the latest revision is Pending: its worker has not got to
// the revision yet.
func GetStatus(ctx context.Context, revs Revisions, store *Store, id string) (*Status, error) {
	latest, _, err := revs.Latest(ctx, id)
	if err != nil {
		return nil, err
	}
	recs, err := store.List(ctx, id)
	if err != nil {
		return nil, err
	}
	byChannel := map[string]*Record{}
	for _, r := range recs {
		byChannel[r.Channel] = r
	}
	st := &Status{Latest: latest}
	for _, ch := range bulletin.KnownChannels {
		rec := byChannel[ch]
		if rec == nil && !latest.Bulletin.HasChannel(ch) {
			continue
		}
		cs := ChannelStatus{Channel: ch, State: Pending, Record: rec}
		if rec != nil && rec.Rev >= latest.Rev {
			cs.State = rec.State
		}
		st.Channels = append(st.Channels, cs)
	}
	return st, nil
}

// Redriver publishes a re-drive request; *bus.Bulletins implements it.
type Redriver interface {
	Redrive(ctx context.Context, id, channel string) error
}

// ErrNotDead is returned by Redrive for a delivery that is not dead.
var ErrNotDead = errors.New("not dead")

// Redrive sends a dead delivery back to its channel's worker: the record goes to Pending
// with its attempts reset, and the worker tries the bulletin's latest revision again.
// by names who asked, for the audit trail.
func Redrive(ctx context.Context, store *Store, pub Redriver, id, channel, by string) error {
	if !slices.Contains(bulletin.KnownChannels, channel) {
		return fmt.Errorf("retry %s on %s: unknown channel (want one of %v)", id, channel, bulletin.KnownChannels)
	}
	rec, kvRev, err := store.Get(ctx, id, channel)
	if err != nil {
		return fmt.Errorf("retry %s on %s: %w", id, channel, err)
	}
	if rec == nil {
		return fmt.Errorf("retry %s on %s: no delivery recorded yet", id, channel)
	}
	if rec.State != Dead {
		return fmt.Errorf("retry %s on %s: delivery is %s, %w", id, channel, rec.State, ErrNotDead)
	}
	before := *rec
	rec.State, rec.Attempts, rec.Error, rec.By = Pending, 0, "retry requested (was: "+before.Error+")", by
	newRev, err := store.Put(ctx, rec, kvRev)
	if err != nil {
		return fmt.Errorf("retry %s on %s: %w", id, channel, err)
	}
	if err := pub.Redrive(ctx, id, channel); err != nil {
		_, _ = store.Put(ctx, &before, newRev) // put it back as it was; best effort
		return fmt.Errorf("retry %s on %s: %w", id, channel, err)
	}
	return nil
}
