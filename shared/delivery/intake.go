package delivery

import (
	"context"
	"errors"
	"fmt"
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
		return nil, w.busTrouble(ctx, m, nil, "read the latest revision", err, out)
	}
	return rev, nil
}

// refuse drops a message that can never be handled, saying why; the channel moves on.
func (w *Worker) refuse(out *Outcome, err error) settleFunc {
	out.Err = w.cfg.Redact(err.Error())
	w.log.Error("unreadable message refused; the channel goes on with the next", "err", out.Err)
	return func(m jetstream.Msg) { _ = m.TermWithReason("unreadable: " + out.Err) }
}

// busTrouble handles a failure to read or write the bus while handling a revision: the
// message comes back after a back-off, and after MaxAttempts deliveries it is given up —
// recorded as dead with the reason when the record can still be written — so a revision
// the bus cannot serve never holds the channel for good.
func (w *Worker) busTrouble(ctx context.Context, m message, rev *bulletin.Revision, what string, err error, out *Outcome) settleFunc {
	text := w.cfg.Redact(err.Error())
	if m.delivered < uint64(w.cfg.MaxAttempts) {
		delay := w.backoff(int(m.delivered), 0)
		w.log.Warn("bus trouble; will retry", "id", out.ID, "what", what, "in", delay, "err", text)
		return nakAfter(delay)
	}
	out.Err = fmt.Sprintf("could not %s after %d tries: %s", what, m.delivered, text)
	w.log.Error("giving up on a revision the bus cannot serve; the channel goes on", "id", out.ID, "err", out.Err)
	if rev != nil {
		rec, kvRev, gerr := w.store.Get(ctx, rev.ID, w.cfg.Channel)
		if gerr == nil && (rec == nil || rec.Rev <= rev.Rev) {
			next := carry(rec, w.cfg.Channel, rev)
			next.State, next.Error, next.Updated = Dead, out.Err, w.cfg.Now().UTC()
			if _, perr := w.store.Put(ctx, &next, kvRev); perr == nil {
				out.State = Dead
			}
		}
	}
	return func(m jetstream.Msg) { _ = m.TermWithReason(out.Err) }
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
