package bus

import (
	"bytes"
	"context"
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
// between tries it waits a little, more each time, at random, so racers spread out. On
// a cluster a loser may be told "in process" until the winner's write is applied, so
// the waits add up to about a second before it gives up.
const maxConflicts = 20

func backoffConflict(ctx context.Context, attempt int) {
	t := time.NewTimer(time.Duration(rand.Int64N(int64(attempt+1) * int64(5*time.Millisecond))))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// errLostRace is put's answer when another publisher of the id got there first. The
// server says so three ways: a wrong last sequence; on a cluster, which checks
// Nats-Msg-Id before the expected sequence, a duplicate ack pointing at the other
// publisher's message; and, while that message is still being replicated, error 10158.
var errLostRace = errors.New("another publisher changed the bulletin first")

// sent is what a publish sent last: if a lost race was in fact our own earlier write
// (a retried publish that landed), the stream holds exactly these bytes at rev.
type sent struct {
	rev  *bulletin.Revision
	data []byte
}

func (s *sent) landed(st *stored) bool {
	return s != nil && st != nil && st.rev.Rev == s.rev.Rev && bytes.Equal(st.data, s.data)
}

// Publish makes b the next revision of its id: rev 1 ("publish") when the id is new or
// was retracted, the next number ("edit") otherwise. Publishing content identical to the
// latest revision is a no-op. Two concurrent publishers of one id never both win the
// same revision number, and the loser is never told it won: it re-reads, and reports the
// other's identical content as unchanged or becomes the next revision.
func (bs *Bulletins) Publish(ctx context.Context, b *bulletin.Bulletin, author string) (Published, error) {
	return bs.PublishWritten(ctx, b, author, "")
}

// PublishWritten is Publish of a text writer wrote and author publishes (a colleague's
// draft): the revision names both. An empty writer, or the author, names only the author.
func (bs *Bulletins) PublishWritten(ctx context.Context, b *bulletin.Bulletin, author, writer string) (Published, error) {
	if writer == author {
		writer = ""
	}
	if b == nil {
		return Published{}, errors.New("publish: no bulletin")
	}
	if err := bulletin.CheckID(b.ID); err != nil {
		return Published{}, fmt.Errorf("publish: %w", err)
	}
	hash := b.Hash()
	var last *sent
	for attempt := range maxConflicts {
		latest, err := bs.latest(ctx, b.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Published{}, err
		}
		if last.landed(latest) {
			return Published{Revision: last.rev, Changed: true}, nil
		}
		rev := &bulletin.Revision{ID: b.ID, Rev: 1, Action: bulletin.Publish, Author: author, Writer: writer, Hash: hash, Bulletin: b}
		var seq uint64
		if latest != nil {
			if latest.rev.Action != bulletin.Retract && latest.rev.Hash == hash {
				return Published{Revision: latest.rev}, nil
			}
			rev.Rev, seq = latest.rev.Rev+1, latest.seq
			if latest.rev.Action != bulletin.Retract {
				rev.Action = bulletin.Edit
			}
		}
		last, err = bs.put(ctx, rev, seq)
		if errors.Is(err, errLostRace) {
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

// Retract publishes a retraction of id: every channel that carries it removes it. It
// returns only once its retraction is on the bus; one that lost a race to a retraction
// reports "already retracted", and one that lost to an edit retracts the edit.
func (bs *Bulletins) Retract(ctx context.Context, id, author string) (*bulletin.Revision, error) {
	if err := bulletin.CheckID(id); err != nil {
		return nil, fmt.Errorf("retract: %w", err)
	}
	var last *sent
	for attempt := range maxConflicts {
		latest, err := bs.latest(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("retract %s: %w", id, err)
		}
		if last.landed(latest) {
			return last.rev, nil
		}
		if latest.rev.Action == bulletin.Retract {
			return nil, fmt.Errorf("retract %s: already retracted in revision %d", id, latest.rev.Rev)
		}
		rev := &bulletin.Revision{ID: id, Rev: latest.rev.Rev + 1, Action: bulletin.Retract, Author: author,
			Hash: latest.rev.Hash, Bulletin: latest.rev.Bulletin}
		last, err = bs.put(ctx, rev, latest.seq)
		if errors.Is(err, errLostRace) {
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

// put publishes rev as the revision after stream sequence lastSeq (0: the first). It
// returns what it sent, and errLostRace when the stream holds another write instead.
func (bs *Bulletins) put(ctx context.Context, rev *bulletin.Revision, lastSeq uint64) (*sent, error) {
	subject, err := RevisionSubject(rev.ID)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	rev.At = bs.now().UTC()
	data, err := Encode(rev)
	if err != nil {
		return nil, fmt.Errorf("publish %s: %w", rev.Key(), err)
	}
	s := &sent{rev: rev, data: data}
	ack, err := bs.js.Publish(ctx, subject, data,
		jetstream.WithMsgID(rev.Key()),
		jetstream.WithExpectStream(StreamBulletins),
		jetstream.WithExpectLastSequencePerSubject(lastSeq))
	switch {
	case isLostRace(err):
		return s, fmt.Errorf("publish %s: %w (%w)", rev.Key(), errLostRace, err)
	case err != nil:
		return s, fmt.Errorf("publish %s: %w", rev.Key(), err)
	case !ack.Duplicate:
		return s, nil
	}
	// The stream already holds a message with this Nats-Msg-Id, at ack.Sequence: ours
	// only if it is what we sent; otherwise another publisher's revision of that number.
	msg, err := bs.stream.GetMsg(ctx, ack.Sequence)
	if err != nil {
		return s, fmt.Errorf("publish %s: the server holds this revision already (sequence %d) and reading it failed: %w",
			rev.Key(), ack.Sequence, err)
	}
	if msg.Subject == subject && bytes.Equal(msg.Data, data) {
		return s, nil
	}
	return s, fmt.Errorf("publish %s: %w (sequence %d)", rev.Key(), errLostRace, ack.Sequence)
}

// Redrive asks channel's workers to try bulletin id again from its latest revision. A
// bad id or an unknown channel is refused: the request would reach no worker, or all.
func (bs *Bulletins) Redrive(ctx context.Context, id, channel string) error {
	subject, err := RedriveSubject(channel, id)
	if err != nil {
		return fmt.Errorf("redrive: %w", err)
	}
	if _, err := bs.js.Publish(ctx, subject, nil, jetstream.WithExpectStream(StreamBulletins)); err != nil {
		return fmt.Errorf("redrive %s on %s: %w", id, channel, err)
	}
	return nil
}

// jsErrCodeDuplicateInProcess is nats-server's JSStreamDuplicateMessageConflict,
// "duplicate message id is in process": on a cluster, another message with the same
// Nats-Msg-Id is being replicated. nats.go has no constant for it.
const jsErrCodeDuplicateInProcess jetstream.ErrorCode = 10158

func isLostRace(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode {
	case jetstream.JSErrCodeStreamWrongLastSequence, jetstream.JSErrCodeStreamWrongLastSequenceConstant,
		jsErrCodeDuplicateInProcess:
		return true
	}
	return false
}
