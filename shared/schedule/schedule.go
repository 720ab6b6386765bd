// Package schedule keeps bulletins that staff want published later, on the bus, so a
// schedule survives every restart: the SCHEDULES bucket holds one entry per bulletin id,
// and a Runner publishes each entry when its time comes.
//
// Scheduling is kept in a bucket rather than as JetStream message schedules because a
// bulletin's revision number is only known when it goes out: an edit made between
// scheduling and publishing must not be overwritten by a revision numbered in advance.
package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// ErrNotFound is returned for an id that has no schedule.
var ErrNotFound = errors.New("no schedule")

// ErrPublishing is returned when a runner is publishing the schedule right now: changing
// or cancelling it then could not stop the text going out, so it is refused instead.
var ErrPublishing = errors.New("is being published right now; wait a few seconds, then look at the bulletin")

// Entry is one bulletin waiting to be published at At.
type Entry struct {
	Bulletin *bulletin.Bulletin `json:"bulletin"`
	At       time.Time          `json:"at"`
	Author   string             `json:"author,omitempty"`
	// Writer wrote the text when Author schedules a colleague's draft; the revision
	// published names both. Empty in entries from before it existed, which still decode.
	Writer  string    `json:"writer,omitempty"`
	Created time.Time `json:"created"`
	// Claim is set while a runner publishes the entry (see Runner).
	Claim *Claim `json:"claim,omitempty"`
}

// Claim is a runner's lease on a due entry: while it holds, no other runner publishes
// the entry and staff cannot change or cancel it. It is wall-clock time, whatever clock
// decides what is due, because it guards against a runner that died mid-publish.
type Claim struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
}

// errUnreadable marks an entry that does not decode (not written by Put).
var errUnreadable = errors.New("unreadable entry")

// held reports whether the claim still keeps others away.
func (c *Claim) held() bool { return c != nil && time.Now().Before(c.Until) }

// maxCASAttempts bounds the re-reads of a compare-and-set that keeps losing to other
// writers of the same key; each loss means someone else made progress.
const maxCASAttempts = 5

// Store reads and writes schedules. It is safe for concurrent use.
type Store struct {
	kv jetstream.KeyValue
}

// NewStore binds to the schedules bucket, which bus.Setup creates.
func NewStore(ctx context.Context, js jetstream.JetStream) (*Store, error) {
	kv, err := js.KeyValue(ctx, bus.BucketSchedules)
	if err != nil {
		return nil, fmt.Errorf("schedules: bucket %s: %w", bus.BucketSchedules, err)
	}
	return &Store{kv: kv}, nil
}

// Put creates the schedule of e.Bulletin.ID, or replaces it: a bulletin has at most one.
// It returns ErrPublishing while a runner publishes the one it would replace.
func (s *Store) Put(ctx context.Context, e Entry) error {
	if e.Bulletin == nil || e.At.IsZero() {
		return errors.New("schedule: need a bulletin and a time")
	}
	if err := bulletin.CheckID(e.Bulletin.ID); err != nil {
		return fmt.Errorf("schedule: %w", err) // the key would be another's, or no key
	}
	if e.Created.IsZero() {
		e.Created = time.Now().UTC()
	}
	e.Claim = nil
	id := e.Bulletin.ID
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("schedule %s: %w", id, err)
	}
	for range maxCASAttempts {
		old, rev, err := s.get(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
			_, err = s.kv.Create(ctx, id, data)
		case errors.Is(err, errUnreadable):
			// An unreadable entry is replaced: Put is how staff fix it.
			_, err = s.kv.Update(ctx, id, data, rev)
		case err != nil:
			return fmt.Errorf("schedule %s: %w", id, err)
		case old.Claim.held():
			return fmt.Errorf("schedule of %s: %w", id, ErrPublishing)
		default:
			_, err = s.kv.Update(ctx, id, data, rev)
		}
		if lostRace(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("schedule %s: %w", id, err)
		}
		return nil
	}
	return fmt.Errorf("schedule %s: too many concurrent changes, try again", id)
}

// lostRace reports a compare-and-set that found another writer's revision.
func lostRace(err error) bool {
	return errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch)
}

// Get returns the schedule of id, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (*Entry, error) {
	e, _, err := s.get(ctx, id)
	return e, err
}

func (s *Store) get(ctx context.Context, id string) (*Entry, uint64, error) {
	if err := bulletin.CheckID(id); err != nil {
		return nil, 0, fmt.Errorf("schedule: %w", err)
	}
	kve, err := s.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("schedule of %s: %w", id, err)
	}
	var e Entry
	if err := json.Unmarshal(kve.Value(), &e); err != nil || e.Bulletin == nil {
		return nil, kve.Revision(), fmt.Errorf("schedule of %s: %w: %v", id, errUnreadable, err)
	}
	return &e, kve.Revision(), nil
}

// Cancel removes the schedule of id; ErrNotFound when there is none, ErrPublishing while
// a runner publishes it. Once Cancel returns nil, no runner publishes that entry.
func (s *Store) Cancel(ctx context.Context, id string) error {
	for range maxCASAttempts {
		e, rev, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		if e.Claim.held() {
			return fmt.Errorf("schedule of %s: %w", id, ErrPublishing)
		}
		// Conditional on the revision read: a runner's claim in between wins, and the
		// next round reports it.
		err = s.kv.Delete(ctx, id, jetstream.LastRevision(rev))
		if lostRace(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("cancel schedule of %s: %w", id, err)
		}
		return nil
	}
	return fmt.Errorf("cancel schedule of %s: too many concurrent changes, try again", id)
}

// List returns every schedule, soonest first.
func (s *Store) List(ctx context.Context) ([]Entry, error) {
	lister, err := s.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	var out []Entry
	for key := range lister.Keys() {
		e, _, err := s.get(ctx, key)
		if errors.Is(err, ErrNotFound) || errors.Is(err, bulletin.ErrBadID) {
			continue // went out meanwhile, or not written by Put: no bulletin to show
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
