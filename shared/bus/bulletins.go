package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
)

// Bulletins publishes and reads bulletin revisions. The editor is its only writer.
// It is safe for concurrent use.
type Bulletins struct {
	js     jetstream.JetStream
	stream jetstream.Stream
	now    func() time.Time
}

// NewBulletins binds to the bulletins stream, which Setup must have created.
func NewBulletins(ctx context.Context, js jetstream.JetStream) (*Bulletins, error) {
	s, err := js.Stream(ctx, StreamBulletins)
	if err != nil {
		return nil, fmt.Errorf("bus: stream %s: %w", StreamBulletins, err)
	}
	return &Bulletins{js: js, stream: s, now: time.Now}, nil
}

// Published is the outcome of a publish.
type Published struct {
	Revision *bulletin.Revision
	// Changed is false when the bus already held this exact content as the latest
	// revision; nothing was published then.
	Changed bool
}

// maxConflicts bounds how often a publish re-reads after another publisher won the race;
// between tries it waits a little, more each time, at random, so racers spread out.
const maxConflicts = 20

func backoffConflict(ctx context.Context, attempt int) {
	t := time.NewTimer(time.Duration(rand.Int64N(int64(attempt+1) * int64(2*time.Millisecond))))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Publish makes b the next revision of its id: rev 1 ("publish") when the id is new or
// was retracted, the next number ("edit") otherwise. Publishing content identical to the
// latest revision is a no-op. Two concurrent publishers of one id never both win the
// same revision number: the publish carries the expected last sequence of the subject.
func (bs *Bulletins) Publish(ctx context.Context, b *bulletin.Bulletin, author string) (Published, error) {
	for attempt := range maxConflicts {
		latest, seq, err := bs.Latest(ctx, b.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Published{}, err
		}
		rev := &bulletin.Revision{ID: b.ID, Rev: 1, Action: bulletin.Publish, Author: author, Hash: b.Hash(), Bulletin: b}
		if latest != nil {
			if latest.Action != bulletin.Retract && latest.Hash == rev.Hash {
				return Published{Revision: latest}, nil
			}
			rev.Rev = latest.Rev + 1
			if latest.Action != bulletin.Retract {
				rev.Action = bulletin.Edit
			}
		}
		err = bs.put(ctx, rev, seq)
		if isWrongLastSequence(err) {
			backoffConflict(ctx, attempt) // someone published this id meanwhile: look again
			continue
		}
		if err != nil {
			return Published{}, err
		}
		return Published{Revision: rev, Changed: true}, nil
	}
	return Published{}, fmt.Errorf("publish %s: too many concurrent changes, try again", b.ID)
}

// Retract publishes a retraction of id: every channel that carries it removes it.
func (bs *Bulletins) Retract(ctx context.Context, id, author string) (*bulletin.Revision, error) {
	for attempt := range maxConflicts {
		latest, seq, err := bs.Latest(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("retract %s: %w", id, err)
		}
		if latest.Action == bulletin.Retract {
			return nil, fmt.Errorf("retract %s: already retracted in revision %d", id, latest.Rev)
		}
		rev := &bulletin.Revision{ID: id, Rev: latest.Rev + 1, Action: bulletin.Retract, Author: author,
			Hash: latest.Hash, Bulletin: latest.Bulletin}
		err = bs.put(ctx, rev, seq)
		if isWrongLastSequence(err) {
			backoffConflict(ctx, attempt)
			continue
		}
		if err != nil {
			return nil, err
		}
		return rev, nil
	}
	return nil, fmt.Errorf("retract %s: too many concurrent changes, try again", id)
}

func (bs *Bulletins) put(ctx context.Context, rev *bulletin.Revision, lastSeq uint64) error {
	rev.At = bs.now().UTC()
	data, err := Encode(rev)
	if err != nil {
		return fmt.Errorf("publish %s: %w", rev.Key(), err)
	}
	_, err = bs.js.Publish(ctx, BulletinSubject(rev.ID), data,
		jetstream.WithMsgID(rev.Key()),
		jetstream.WithExpectStream(StreamBulletins),
		jetstream.WithExpectLastSequencePerSubject(lastSeq))
	if err != nil {
		return fmt.Errorf("publish %s: %w", rev.Key(), err)
	}
	return nil
}

// Redrive asks channel's workers to try bulletin id again from its latest revision.
func (bs *Bulletins) Redrive(ctx context.Context, id, channel string) error {
	if _, err := bs.js.Publish(ctx, RedriveSubject(channel, id), nil, jetstream.WithExpectStream(StreamBulletins)); err != nil {
		return fmt.Errorf("redrive %s on %s: %w", id, channel, err)
	}
	return nil
}

// Latest returns the newest revision of id and its stream sequence, or ErrNotFound.
func (bs *Bulletins) Latest(ctx context.Context, id string) (*bulletin.Revision, uint64, error) {
	msg, err := bs.stream.GetLastMsgForSubject(ctx, BulletinSubject(id))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, 0, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", id, err)
	}
	rev, err := Decode(msg.Data)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s at sequence %d: %w", id, msg.Sequence, err)
	}
	return rev, msg.Sequence, nil
}

// History returns every revision of id, oldest first.
func (bs *Bulletins) History(ctx context.Context, id string) ([]*bulletin.Revision, error) {
	var out []*bulletin.Revision
	err := bs.scan(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{BulletinSubject(id)},
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
		FilterSubjects: []string{subjectBulletins + ".*"},
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
	if rev.ID == "" || rev.Rev < 1 || rev.Bulletin == nil {
		return nil, fmt.Errorf("decode revision: incomplete (id %q, rev %d)", rev.ID, rev.Rev)
	}
	return &rev, nil
}

func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}
