package delivery

import (
	"errors"
	"fmt"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

// This file holds the worker's decisions as pure functions: what to do with a revision
// given the channel's record and the bulletin's latest revision (decide), and what
// record an answer from the channel leads to (settle). worker.go carries them out.

// op is a call to a channel; opNone makes no call.
type op string

const (
	opNone    op = ""
	opDeliver op = "deliver"
	opUpdate  op = "update"
	opRetract op = "retract"
)

// input is what the worker knows when a revision comes up on its channel.
type input struct {
	channel string
	// prev is the channel's record of the bulletin; nil when there is none.
	prev *Record
	// rev is the revision the message is about.
	rev *bulletin.Revision
	// latest is the bulletin's newest revision number on the bus, read just now; 0 when
	// it was not read (decide then asks for it with needLatest).
	latest int
	// redelivered is set when the bus handed this message out before (a crash or a
	// hand-back may have fallen between a call and its record).
	redelivered bool
	// refresh is set for a re-drive request (rather than a revision): a channel may ask
	// for one to show again what it carries, e.g. with a link learnt since (see refresh).
	refresh     bool
	maxAttempts int
}

// refreshes reports whether a re-drive request makes the channel update a revision it
// already delivered: only a delivered, current revision is refreshed, never a
// retracted, skipped or dead one (a dead one is re-driven by staff, record first).
func refreshes(in input) bool {
	return in.refresh && in.prev != nil && in.prev.Rev == in.rev.Rev &&
		in.prev.State == Delivered && in.prev.Carried == in.rev.Rev && in.rev.Action != bulletin.Retract
}

// decision is what to do: settle the message without a call (ack, with or without a
// record to write), or call the channel with op.
type decision struct {
	// ack without writing anything: a duplicate, or a revision the record is past.
	ack bool
	// needLatest: read the bulletin's latest revision and decide again.
	needLatest bool
	// op is the call to make; opNone writes next without a call.
	op op
	// next is the record to write (without a call), or the base that settle completes.
	next Record
	// giveUp: the attempts at this revision are spent; write next (Dead) and stop.
	giveUp bool
	// job is the call's argument when op is set.
	job Job
}

// decide chooses what the worker does with in.rev. It never calls the channel for a
// revision that a newer one supersedes: the newer one's message follows in the queue,
// so the channel goes straight to what staff last decided.
func decide(in input) decision {
	prev, rev := in.prev, in.rev
	refresh := refreshes(in)
	if prev != nil && (prev.Rev > rev.Rev || prev.Rev == rev.Rev && prev.State.Final() && !refresh) {
		return decision{ack: true}
	}
	named := rev.Bulletin.HasChannel(in.channel)
	if prev == nil && !named {
		return decision{ack: true} // never meant for this channel and nothing shown
	}
	if in.latest == 0 {
		return decision{needLatest: true}
	}
	next := carry(prev, in.channel, rev)
	if refresh {
		// A refresh is not a retry: its attempts count afresh, and the call is told the
		// channel shows the revision (Prev), not that it may have acted (Retry below
		// counts from RedriveFrom).
		next.Attempts, next.RedriveFrom = prev.Attempts+1, prev.Attempts
	}
	// A message handed out before may have been carried out by a worker that died or
	// was stopped before it could record it: the channel may show it.
	next.Uncertain = next.Uncertain || in.redelivered
	if in.latest > rev.Rev {
		next.State, next.SupersededBy = Superseded, in.latest
		return decision{next: next}
	}

	var o op
	switch {
	case rev.Action == bulletin.Retract || !named:
		if !mayShow(&next) {
			next.State = Retracted
			if rev.Action != bulletin.Retract {
				next.State, next.Error = Skipped, "not among the bulletin's channels"
			}
			next.Ref, next.Visible, next.Uncertain = Ref{}, "", false
			return decision{next: next}
		}
		o = opRetract
	case prev != nil && prev.Carried > 0:
		o = opUpdate
	default:
		o = opDeliver
	}
	if next.Attempts-next.RedriveFrom > in.maxAttempts {
		next.State = Dead
		next.Error = fmt.Sprintf("gave up after %d attempts: %s", in.maxAttempts, prevError(prev))
		next.Reason = ReasonTriesExhausted
		next.Attempts-- // no attempt was made
		return decision{op: o, next: next, giveUp: true}
	}
	p := Record{}
	if prev != nil {
		p = *prev
	}
	// Retry: an earlier attempt since the last re-drive or refresh, or an uncertain
	// outcome (a failed call, a redelivery, a claim left Sending) may have reached the
	// channel. Attempts before RedriveFrom ended in the record prev states, so they say
	// nothing a refresh or re-drive does not already know from Prev.
	retry := next.Attempts-next.RedriveFrom > 1 || next.Uncertain
	return decision{op: o, next: next,
		job: Job{Revision: rev, Prev: p, Attempt: next.Attempts - next.RedriveFrom, Retry: retry}}
}

// carry starts the record of rev from prev: what the channel shows stays as it is, and
// attempts go on counting when prev is about the same revision.
func carry(prev *Record, channel string, rev *bulletin.Revision) Record {
	next := Record{ID: rev.ID, Channel: channel, Rev: rev.Rev, Action: rev.Action, Attempts: 1}
	if prev == nil {
		return next
	}
	next.Carried, next.Ref, next.Visible, next.Uncertain = prev.Carried, prev.Ref, prev.Visible, prev.Uncertain
	if prev.Rev == rev.Rev {
		next.Attempts, next.RedriveFrom, next.By = prev.Attempts+1, prev.RedriveFrom, prev.By
	}
	return next
}

// mayShow reports whether the channel may show something of the bulletin: it carries a
// revision, parts of one are known to be visible, or a failed call may have acted.
func mayShow(r *Record) bool {
	return r.Carried > 0 || len(r.Ref.IDs) > 0 || r.Uncertain
}

func prevError(prev *Record) string {
	if prev == nil {
		return ""
	}
	return prev.Error
}

// settle completes d.next with the channel's answer to d.op, given at now, and returns
// the record to write and the answer's class. redact is applied to error texts.
func settle(d decision, ref Ref, callErr error, now time.Time, redact func(string) string) (Record, class) {
	next, prev := d.next, d.job.Prev
	class, _ := classify(callErr)
	switch class {
	case classOK:
		next.Error, next.Reason, next.Visible, next.Uncertain, next.NextAttempt = "", "", "", false, time.Time{}
		if d.op == opRetract {
			next.State, next.Carried, next.Ref = Retracted, 0, Ref{}
			if d.job.Revision.Action != bulletin.Retract {
				next.Error = "removed from the bulletin's channels"
			}
			return next, class
		}
		next.State, next.Carried, next.Ref = Delivered, d.job.Revision.Rev, ref
		if next.Ref.SentAt.IsZero() && d.op == opUpdate {
			next.Ref.SentAt = prev.Ref.SentAt // an edit keeps the first appearance
		}
		if next.Ref.SentAt.IsZero() {
			next.Ref.SentAt = now.UTC()
		}
		return next, class
	case classSkip:
		next.State, next.Error = Skipped, redact(callErr.Error())
		next.Carried, next.Ref, next.Visible, next.Uncertain = 0, Ref{}, "", false
		return next, class
	}
	// A failure: the channel may have acted in part. Record what it says is visible.
	next.Uncertain = true
	next.Error, next.Reason = redact(callErr.Error()), reasonOf(callErr)
	next.State = Failed
	if class == classPermanent {
		next.State = Dead
	}
	if s := showing(callErr); s != nil {
		next.Ref, next.Visible = s.Ref, s.What
	} else if next.Carried > 0 && next.Visible == "" {
		next.Visible = fmt.Sprintf("revision %d", next.Carried)
	}
	return next, class
}

func showing(err error) *ShowingError {
	var s *ShowingError
	if errors.As(err, &s) {
		return s
	}
	return nil
}
