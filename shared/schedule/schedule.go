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

// Entry is one bulletin waiting to be published at At.
type Entry struct {
	Bulletin *bulletin.Bulletin `json:"bulletin"`
	At       time.Time          `json:"at"`
	Author   string             `json:"author,omitempty"`
	Created  time.Time          `json:"created"`
}

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
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("schedule %s: %w", e.Bulletin.ID, err)
	}
	if _, err := s.kv.Put(ctx, e.Bulletin.ID, data); err != nil {
		return fmt.Errorf("schedule %s: %w", e.Bulletin.ID, err)
	}
	return nil
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
		return nil, 0, fmt.Errorf("schedule of %s: unreadable entry: %v", id, err)
	}
	return &e, kve.Revision(), nil
}

// Cancel removes the schedule of id; ErrNotFound when there is none.
func (s *Store) Cancel(ctx context.Context, id string) error {
	if _, _, err := s.get(ctx, id); err != nil {
		return err
	}
	if err := s.kv.Delete(ctx, id); err != nil {
		return fmt.Errorf("cancel schedule of %s: %w", id, err)
	}
	return nil
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
