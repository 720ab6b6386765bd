package delivery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

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

// ErrNotDead is returned by Redrive for a delivery that is neither dead nor stuck.
var ErrNotDead = errors.New("not dead")

// StuckAfter is how long a delivery may stay pending (re-drive asked for, or a new
// revision not yet taken up) before staff may re-drive it: a re-drive request the bus
// lost must not leave it pending for good.
const StuckAfter = 10 * time.Minute

// Redrive sends a dead — or stuck pending — delivery back to its channel's worker: the
// record goes to Pending and the worker tries the bulletin's latest revision again. The
// attempts made so far are kept, so the channel is told it may have acted already, and
// the give-up limit counts afresh from here. by names who asked, for the audit trail.
func Redrive(ctx context.Context, store *Store, pub Redriver, id, channel, by string) error {
	return redrive(ctx, store, pub, id, channel, by, time.Now())
}

func redrive(ctx context.Context, store *Store, pub Redriver, id, channel, by string, now time.Time) error {
	if err := bulletin.CheckID(id); err != nil {
		return fmt.Errorf("retry on %s: %w", channel, err)
	}
	if !slices.Contains(bulletin.KnownChannels, channel) {
		return fmt.Errorf("retry %s on %q: unknown channel (want one of %v)", id, channel, bulletin.KnownChannels)
	}
	rec, kvRev, err := store.Get(ctx, id, channel)
	if err != nil {
		return fmt.Errorf("retry %s on %s: %w", id, channel, err)
	}
	if rec == nil {
		return fmt.Errorf("retry %s on %s: no delivery recorded yet", id, channel)
	}
	stuck := rec.State == Pending && now.Sub(rec.Updated) > StuckAfter
	if rec.State != Dead && !stuck {
		return fmt.Errorf("retry %s on %s: delivery is %s, %w", id, channel, rec.State, ErrNotDead)
	}
	before := *rec
	was := before.Error
	if stuck {
		was = "pending since " + before.Updated.Format(time.RFC3339)
	}
	rec.State, rec.RedriveFrom, rec.Error, rec.By = Pending, rec.Attempts, "retry requested (was: "+was+")", by
	rec.Reason = ""
	rec.Updated = now.UTC()
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
