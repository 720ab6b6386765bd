package delivery

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// This file takes a message in: reading it, refusing what can never be handled, and
// riding out a bus that cannot serve for a while. process.go decides and acts on it.
// handle settles one message: ack, nak with delay, or term, after recording the outcome.
func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	start := w.cfg.Now()
	out := Outcome{Channel: w.cfg.Channel}
	defer func() {
		out.Duration = w.cfg.Now().Sub(start)
		if w.cfg.Observe != nil {
			w.cfg.Observe(out)
		}
	}()

	// The call may outlive ctx by Config.Grace: shutdown finishes work before it hands back.
	callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(w.cfg.Grace, cancel)
		context.AfterFunc(callCtx, func() { t.Stop() })
	})
	defer stop()
	defer w.heartbeat(callCtx, msg)()

	m := message{msg: msg, delivered: 1}
	if meta, err := msg.Metadata(); err == nil {
		m.delivered = meta.NumDelivered
	}
	rev, settle := w.revision(callCtx, m, &out)
	if rev != nil {
		out.ID, out.Rev, out.Published = rev.ID, rev.Rev, rev.At
		settle = w.process(callCtx, m, rev, &out)
	}
	settle(msg)
}

// message is a message being handled and how often the bus has handed it out.
type message struct {
	msg       jetstream.Msg
	delivered uint64
}

// revision reads the revision a message is about: its body, or for a re-drive request
// the bulletin's latest revision. A message that can never be read is refused at once,
// so it does not hold up the bulletins behind it.
func (w *Worker) revision(ctx context.Context, m message, out *Outcome) (*bulletin.Revision, settleFunc) {
	subject := m.msg.Subject()
	id, redrive, ok := bus.ParseSubject(subject)
	if !ok {
		return nil, w.refuse(out, fmt.Errorf("unexpected subject %q", subject))
	}
	if err := bulletin.CheckID(id); err != nil {
		return nil, w.refuse(out, fmt.Errorf("subject %q: %w", subject, err))
	}
	if redrive == "" {
		rev, err := bus.Decode(m.msg.Data())
		if err == nil && rev.ID != id {
			err = fmt.Errorf("revision of %q on the subject of %q", rev.ID, id)
		}
		if err != nil {
			return nil, w.refuse(out, fmt.Errorf("%s: %w", subject, err))
		}
		return rev, nil
	}
	rev, _, err := w.revs.Latest(ctx, id)
	if errors.Is(err, bus.ErrNotFound) {
		return nil, w.refuse(out, fmt.Errorf("re-drive of %s: %w", id, err))
	}
	if err != nil {
		out.ID = id
		return nil, w.busTrouble(ctx, id, 0, "", "read the latest revision", err, out)
	}
	return rev, nil
}

// refuse drops a message that can never be handled, saying why; the channel moves on.
func (w *Worker) refuse(out *Outcome, err error) settleFunc {
	out.Err = w.cfg.Redact(err.Error())
	w.log.Error("unreadable message refused; the channel goes on with the next", "err", out.Err)
	return func(m jetstream.Msg) { _ = m.TermWithReason("unreadable: " + out.Err) }
}

// busTrouble handles a failure to read or write the bus while handling revision rev of
// id (rev 0: not known yet). The message comes back after a back-off. After MaxAttempts
// failures in a row for that revision on this worker, the revision is recorded dead
// with the reason and the channel moves on; when even that record cannot be written
// (the bus is down for everyone, so holding the channel loses nothing) it keeps trying,
// at the longest back-off, up to three times as long before it refuses the message.
func (w *Worker) busTrouble(ctx context.Context, id string, rev int, action bulletin.Action, what string, err error, out *Outcome) settleFunc {
	text := w.cfg.Redact(err.Error())
	key := bulletin.RevisionKey(id, rev)
	n := w.troubles.add(key)
	if n < w.cfg.MaxAttempts {
		delay := w.backoff(n, 0)
		w.log.Warn("bus trouble; will retry", "id", id, "rev", rev, "what", what, "in", delay, "err", text)
		return nakAfter(delay)
	}
	out.Err = fmt.Sprintf("could not %s after %d tries: %s", what, n, text)
	if rev > 0 && w.recordDead(ctx, id, rev, action, out.Err) {
		w.log.Error("gave up on a revision the bus cannot serve; the channel goes on", "id", id, "rev", rev, "err", out.Err)
		out.State = Dead
		w.troubles.clear(key)
		return term(out.Err)
	}
	if n < 3*w.cfg.MaxAttempts {
		w.log.Error("the bus takes no record either; holding the channel until it does", "id", id, "rev", rev, "err", out.Err)
		return nakAfter(w.cfg.MaxBackoff)
	}
	w.log.Error("refusing a revision after the bus failed it for too long; its record may be out of date", "id", id, "rev", rev, "err", out.Err)
	w.troubles.clear(key)
	return term(out.Err)
}

// recordDead records revision rev of id as dead with reason, keeping what the channel
// shows; it reports whether the bus took the record.
func (w *Worker) recordDead(ctx context.Context, id string, rev int, action bulletin.Action, reason string) bool {
	rec, kvRev, err := w.store.Get(ctx, id, w.cfg.Channel)
	if err != nil || rec != nil && rec.Rev > rev {
		return false
	}
	next := carry(rec, w.cfg.Channel, &bulletin.Revision{ID: id, Rev: rev, Action: action})
	next.Attempts = max(next.Attempts-1, 0) // no call was made for this failure
	next.State, next.Error, next.Reason, next.Updated = Dead, reason, ReasonBus, w.cfg.Now().UTC()
	_, err = w.store.Put(ctx, &next, kvRev)
	return err == nil
}

// troubles counts, per revision, the bus failures in a row this worker met handling it.
// The count cannot live on the bus (it is the bus that fails) nor in the message (the
// bus redelivers it for other reasons too).
type troubles struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *troubles) add(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == nil || len(t.n) > 10000 {
		t.n = map[string]int{} // revisions given up on elsewhere never clear their count
	}
	t.n[key]++
	return t.n[key]
}

func (t *troubles) clear(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.n, key)
}

// heartbeat keeps the message from being redelivered while a long call runs.
func (w *Worker) heartbeat(ctx context.Context, msg jetstream.Msg) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(w.cfg.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
	return cancel
}

type settleFunc func(jetstream.Msg)

func ack(m jetstream.Msg) { _ = m.Ack() }

func nakAfter(d time.Duration) settleFunc {
	return func(m jetstream.Msg) { _ = m.NakWithDelay(d) }
}

func term(reason string) settleFunc {
	return func(m jetstream.Msg) { _ = m.TermWithReason(reason) }
}
