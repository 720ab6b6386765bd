package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
)

// Latest returns the newest revision of id and its stream sequence, or ErrNotFound. An id
// that breaks the slug rule is refused (an error wrapping bulletin.ErrBadID).
func (bs *Bulletins) Latest(ctx context.Context, id string) (*bulletin.Revision, uint64, error) {
	st, err := bs.latest(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	return st.rev, st.seq, nil
}

// stored is a revision as the stream holds it: decoded, its bytes and its sequence.
type stored struct {
	rev  *bulletin.Revision
	data []byte
	seq  uint64
}

func (bs *Bulletins) latest(ctx context.Context, id string) (*stored, error) {
	subject, err := RevisionSubject(id)
	if err != nil {
		return nil, fmt.Errorf("read bulletin: %w", err)
	}
	msg, err := bs.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", id, err)
	}
	rev, err := Decode(msg.Data)
	if err != nil {
		return nil, fmt.Errorf("read %s at sequence %d: %w", id, msg.Sequence, err)
	}
	return &stored{rev: rev, data: msg.Data, seq: msg.Sequence}, nil
}

// History returns every revision of id, oldest first. An id that breaks the slug rule
// is refused (an error wrapping bulletin.ErrBadID).
func (bs *Bulletins) History(ctx context.Context, id string) ([]*bulletin.Revision, error) {
	subject, err := RevisionSubject(id)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	var out []*bulletin.Revision
	err = bs.scan(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	}, func(r *bulletin.Revision) error { out = append(out, r); return nil })
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	return out, err
}

// EachLatest calls fn with the newest revision of every bulletin, in the order they were
// last changed. It is how a reader rebuilds its view from the bus after a restart.
func (bs *Bulletins) EachLatest(ctx context.Context, fn func(*bulletin.Revision) error) error {
	return bs.scan(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{AllBulletins},
		DeliverPolicy:  jetstream.DeliverLastPerSubjectPolicy,
	}, fn)
}

func (bs *Bulletins) scan(ctx context.Context, cfg jetstream.OrderedConsumerConfig, fn func(*bulletin.Revision) error) error {
	c, err := bs.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("read bulletins: %w", err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		return fmt.Errorf("read bulletins: %w", err)
	}
	if info.NumPending == 0 {
		return nil
	}
	it, err := c.Messages(jetstream.PullMaxMessages(500))
	if err != nil {
		return fmt.Errorf("read bulletins: %w", err)
	}
	defer it.Stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return fmt.Errorf("read bulletins: %w", err)
		}
		meta, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("read bulletins: %w", err)
		}
		rev, err := Decode(msg.Data())
		if err != nil {
			return fmt.Errorf("read bulletins at sequence %d: %w", meta.Sequence.Stream, err)
		}
		if err := fn(rev); err != nil {
			return err
		}
		if meta.NumPending == 0 {
			return nil
		}
	}
}

// Encode is the wire form of a revision: JSON, with <, > and & left as they are.
func Encode(rev *bulletin.Revision) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rev); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decode reads a revision from its wire form and checks the fields every reader relies on.
func Decode(data []byte) (*bulletin.Revision, error) {
	var rev bulletin.Revision
	if err := json.Unmarshal(data, &rev); err != nil {
		return nil, fmt.Errorf("decode revision: %w", err)
	}
	if rev.Rev < 1 || rev.Bulletin == nil {
		return nil, fmt.Errorf("decode revision: incomplete (id %q, rev %d)", rev.ID, rev.Rev)
	}
	// A revision of an id that breaks the slug rule names no subject or key a reader
	// could use; every reader would fail on it, so it is unreadable here, once.
	if err := bulletin.CheckID(rev.ID); err != nil {
		return nil, fmt.Errorf("decode revision: %w", err)
	}
	return &rev, nil
}
