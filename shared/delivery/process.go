package delivery

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// process carries out decide's choice for rev — reading the bulletin's latest revision
// first when a call may follow — records the outcome and returns how to settle.
func (w *Worker) process(ctx context.Context, m message, rev *bulletin.Revision, out *Outcome) settleFunc {
	rec, kvRev, err := w.store.Get(ctx, rev.ID, w.cfg.Channel)
	if err != nil {
		return w.busTrouble(ctx, rev.ID, rev.Rev, rev.Action, "read the delivery record", err, out)
	}
	_, redrive, _ := bus.ParseSubject(m.msg.Subject())
	in := input{channel: w.cfg.Channel, prev: rec, rev: rev, refresh: redrive != "",
		redelivered: m.delivered > 1, maxAttempts: w.cfg.MaxAttempts}
	d := decide(in)
	if d.ack {
		return ack
	}
	if until, held := w.heldByOther(rec, time.Now()); held {
		// Another replica is calling the channel for this bulletin: wait for its outcome.
		w.log.Info("another worker holds the delivery; waiting", "id", rev.ID, "rev", rev.Rev, "until", until)
		return nakAfter(max(time.Until(until), w.cfg.MinBackoff))
	}
	var checked time.Time
	if d.needLatest {
		// Read just before the call, so that every decision staff were told of before
		// this moment is known to the call (see Job.CheckedAt).
		checked = time.Now()
		l, _, err := w.revs.Latest(ctx, rev.ID)
		if err != nil {
			return w.busTrouble(ctx, rev.ID, rev.Rev, rev.Action, "read the latest revision", err, out)
		}
		in.latest = max(l.Rev, rev.Rev)
		d = decide(in)
	}
	switch {
	case d.ack:
		return ack
	case d.op == opNone:
		return w.record(ctx, &d.next, kvRev, out, ack)
	}
	out.Op = string(d.op)
	if d.giveUp {
		return w.record(ctx, &d.next, kvRev, out, term("gave up"))
	}
	d.job.CheckedAt = checked
	l, err := w.claim(ctx, d.next, kvRev)
	if errors.Is(err, ErrConflict) {
		return nakAfter(w.cfg.MinBackoff) // someone wrote the record meanwhile: look again
	}
	if err != nil {
		return w.busTrouble(ctx, rev.ID, rev.Rev, rev.Action, "claim the delivery", err, out)
	}
	leaseCtx, lost := context.WithCancel(ctx)
	defer lost()
	stopLease := l.keep(ctx, lost)
	ref, callErr := w.call(leaseCtx, d.op, d.job)
	kvRev = stopLease()
	if callErr != nil && leaseCtx.Err() != nil {
		// Shutting down, or the lease is lost: hand the revision back; the record says
		// Sending and Uncertain, so whoever takes it next looks before acting.
		w.log.Info("handing back in-flight delivery", "id", rev.ID, "rev", rev.Rev)
		return func(m jetstream.Msg) { _ = m.Nak() }
	}
	now := w.cfg.Now()
	next, class := settle(d, ref, callErr, now, w.cfg.Redact)
	_, retryAfter := classify(callErr)
	out.RetryAfter = retryAfter
	var coder Coder
	if errors.As(callErr, &coder) {
		out.Code = coder.Code()
	}
	switch class {
	case classOK, classSkip:
		return w.record(ctx, &next, kvRev, out, ack)
	case classPermanent:
		return w.record(ctx, &next, kvRev, out, term("refused by channel"))
	}
	delay := w.backoff(next.Attempts-next.RedriveFrom, retryAfter)
	next.NextAttempt = now.Add(delay).UTC()
	return w.record(ctx, &next, kvRev, out, nakAfter(delay))
}

func (w *Worker) call(ctx context.Context, o op, job Job) (Ref, error) {
	switch o {
	case opUpdate:
		return w.ch.Update(ctx, job)
	case opRetract:
		return Ref{}, w.ch.Retract(ctx, job)
	}
	return w.ch.Deliver(ctx, job)
}

func (w *Worker) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := w.cfg.MinBackoff
	for i := 1; i < attempt && d < w.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return max(min(d, w.cfg.MaxBackoff), retryAfter)
}

// record writes next over the record at bucket revision kvRev and returns settle, or —
// when the bus does not take the write — a nak so the revision comes back (see busTrouble).
func (w *Worker) record(ctx context.Context, next *Record, kvRev uint64, out *Outcome, settle settleFunc) settleFunc {
	next.Updated = w.cfg.Now().UTC()
	out.State, out.Err = next.State, next.Error
	var err error
	for range 5 {
		if _, err = w.store.Put(ctx, next, kvRev); err == nil {
			w.troubles.clear(bulletin.RevisionKey(next.ID, next.Rev))
			w.log.Info("delivery recorded", "id", next.ID, "rev", next.Rev, "op", out.Op,
				"state", next.State, "attempt", next.Attempts, "err", next.Error)
			return settle
		}
		if !errors.Is(err, ErrConflict) {
			break
		}
		// Someone else wrote the record meanwhile (a re-drive request). A newer revision
		// there wins; otherwise write ours over it.
		cur, rev, gerr := w.store.Get(ctx, next.ID, next.Channel)
		if gerr != nil {
			err = gerr
			break
		}
		if cur != nil && cur.Rev > next.Rev {
			return settle
		}
		if until, held := w.heldByOther(cur, time.Now()); held {
			out.State = ""
			return nakAfter(max(time.Until(until), w.cfg.MinBackoff))
		}
		if cur != nil && cur.Rev == next.Rev && cur.State == Pending {
			// A re-drive asked for this revision meanwhile: keep its attempt budget.
			next.RedriveFrom, next.By = cur.RedriveFrom, cur.By
		}
		kvRev = rev
	}
	out.State = ""
	return w.busTrouble(ctx, next.ID, next.Rev, next.Action, "record the delivery", err, out)
}
