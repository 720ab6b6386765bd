package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// Store reads and writes delivery records. Writes are compare-and-set on the bucket's
// revision, so two replicas never overwrite each other. It is safe for concurrent use.
type Store struct {
	kv jetstream.KeyValue
}

// ErrConflict is returned by Put when the record changed since it was read.
var ErrConflict = errors.New("delivery record changed meanwhile")

// NewStore binds to the deliveries bucket, which bus.Setup must have created.
func NewStore(ctx context.Context, js jetstream.JetStream) (*Store, error) {
	kv, err := js.KeyValue(ctx, bus.BucketDeliveries)
	if err != nil {
		return nil, fmt.Errorf("delivery store: bucket %s: %w", bus.BucketDeliveries, err)
	}
	return &Store{kv: kv}, nil
}

// Get returns the record of id on channel and its bucket revision; (nil, 0, nil) when
// there is none yet.
func (s *Store) Get(ctx context.Context, id, channel string) (*Record, uint64, error) {
	key, err := bus.RecordKey(id, channel)
	if err != nil {
		return nil, 0, fmt.Errorf("get delivery on %s: %w", channel, err)
	}
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("get delivery %s.%s: %w", id, channel, err)
	}
	rec, err := decode(e)
	if err != nil {
		return nil, 0, err
	}
	return rec, e.Revision(), nil
}

// Put writes rec if the stored record is still at bucket revision last (0: none yet).
// It returns the new revision, or ErrConflict.
func (s *Store) Put(ctx context.Context, rec *Record, last uint64) (uint64, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return 0, fmt.Errorf("put delivery %s.%s: %w", rec.ID, rec.Channel, err)
	}
	key, err := bus.RecordKey(rec.ID, rec.Channel)
	if err != nil {
		return 0, fmt.Errorf("put delivery on %s: %w", rec.Channel, err)
	}
	var rev uint64
	if last == 0 {
		rev, err = s.kv.Create(ctx, key, data)
	} else {
		rev, err = s.kv.Update(ctx, key, data, last)
	}
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return 0, fmt.Errorf("put delivery %s.%s: %w", rec.ID, rec.Channel, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("put delivery %s.%s: %w", rec.ID, rec.Channel, err)
	}
	return rev, nil
}

// List returns the records of bulletin id on every channel that has one.
func (s *Store) List(ctx context.Context, id string) ([]*Record, error) {
	if err := bulletin.CheckID(id); err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	lister, err := s.kv.ListKeysFiltered(ctx, id+".*")
	if err != nil {
		return nil, fmt.Errorf("list deliveries of %s: %w", id, err)
	}
	var out []*Record
	for key := range lister.Keys() {
		_, channel, _ := strings.Cut(key, ".")
		rec, _, err := s.Get(ctx, id, channel)
		if err != nil {
			return nil, err
		}
		if rec != nil {
			out = append(out, rec)
		}
	}
	return out, nil
}

// History returns the kept versions of the record of id on channel, oldest first: the
// audit trail of its attempts. The claims a worker writes before each call (Sending) are
// left out: each is followed by the attempt's outcome, or is the current record.
func (s *Store) History(ctx context.Context, id, channel string) ([]*Record, error) {
	key, err := bus.RecordKey(id, channel)
	if err != nil {
		return nil, fmt.Errorf("history of delivery on %s: %w", channel, err)
	}
	entries, err := s.kv.History(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history of delivery %s.%s: %w", id, channel, err)
	}
	out := make([]*Record, 0, len(entries))
	for _, e := range entries {
		rec, err := decode(e)
		if err != nil {
			return nil, err
		}
		if rec.State != Sending {
			out = append(out, rec)
		}
	}
	return out, nil
}

// Watch streams every change to any record (after the current values) until ctx ends.
func (s *Store) Watch(ctx context.Context) (<-chan *Record, error) {
	w, err := s.kv.WatchAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch deliveries: %w", err)
	}
	out := make(chan *Record, 64)
	go func() {
		defer close(out)
		defer func() { _ = w.Stop() }()
		for e := range w.Updates() {
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			rec, err := decode(e)
			if err != nil {
				continue
			}
			select {
			case out <- rec:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func decode(e jetstream.KeyValueEntry) (*Record, error) {
	var rec Record
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return nil, fmt.Errorf("decode delivery %s (revision %d): %w", e.Key(), e.Revision(), err)
	}
	return &rec, nil
}
