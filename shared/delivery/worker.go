package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// Channel is what a worker needs of a place that carries bulletins. Implementations
// classify their errors with Temporary, Permanent or Skip, honour ctx, and may be called
// again for a job they already did when Job.Retry is set (a crash can fall between the
// call and the record).
type Channel interface {
	// Deliver shows the revision for the first time and returns the channel's reference.
	Deliver(ctx context.Context, job Job) (Ref, error)
	// Update replaces what the channel shows (Job.Prev.Ref) with the revision.
	Update(ctx context.Context, job Job) (Ref, error)
	// Retract removes what the channel shows (Job.Prev.Ref).
	Retract(ctx context.Context, job Job) error
}

// Job is one call to a channel.
type Job struct {
	Revision *bulletin.Revision
	// Prev is the record before this attempt; its zero value when there was none.
	Prev Record
	// Retry is set when an earlier attempt at this revision may have reached the channel
	// (it failed, or the worker died mid-call): look for it before creating anything.
	Retry bool
	// Attempt counts attempts at this revision, from 1 (from the last re-drive).
	Attempt int
	// CheckedAt is when the worker began reading the bulletin's latest revision for this
	// job: every decision staff made before then is reflected in it.
	CheckedAt time.Time
}

// Revisions reads the newest revision of a bulletin; *bus.Bulletins implements it.
type Revisions interface {
	Latest(ctx context.Context, id string) (*bulletin.Revision, uint64, error)
}

// Config tunes a worker. Zero fields take the defaults below.
type Config struct {
	// Channel is the channel's name: the consumer and the records' key suffix.
	Channel string
	// MaxAttempts at one revision before it goes to Dead.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait after a temporary failure; it doubles
	// with each attempt. A channel's RetryAfter can make it longer, never shorter.
	MinBackoff, MaxBackoff time.Duration
	// Poll is how long one fetch waits for work; it bounds how fast Run notices ctx.
	Poll time.Duration
	// Grace is how long an in-flight call may go on after Run's ctx ends before it is
	// cancelled and the revision handed back to another replica.
	Grace time.Duration
	// Heartbeat is how often a long call tells the server it is still being worked on.
	// It must be shorter than the consumer's AckWait.
	Heartbeat time.Duration
	// Redact is applied to every error text before it is logged or recorded, so a
	// channel's secret (a bot token in a URL) never leaks. nil keeps text as it is.
	Redact func(string) string
	// Observe, when set, is told every outcome (for metrics and tests).
	Observe func(Outcome)
	Logger  *slog.Logger
	Now     func() time.Time
}

// Defaults: patient enough for a Bot API outage, quick enough that staff see a failure.
const (
	DefaultMaxAttempts = 10
	DefaultMinBackoff  = time.Second
	DefaultMaxBackoff  = 5 * time.Minute
	DefaultPoll        = time.Second
	DefaultGrace       = 10 * time.Second
	DefaultHeartbeat   = bus.DefaultAckWait / 3
)

func (c *Config) defaults() {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = DefaultMinBackoff
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.Poll <= 0 {
		c.Poll = DefaultPoll
	}
	if c.Grace <= 0 {
		c.Grace = DefaultGrace
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.Redact == nil {
		c.Redact = func(s string) string { return s }
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Outcome is what became of one message.
type Outcome struct {
	ID      string
	Rev     int
	Channel string
	Op      string // deliver, update, retract, or "" when no call was made
	State   State  // the state recorded; "" when nothing was recorded (duplicate, hand-back)
	Err     string
	// Code is the channel's error code when its error implements Coder (e.g. "429").
	Code string
	// RetryAfter is the wait the channel asked for on a temporary failure.
	RetryAfter time.Duration
	// Published is when the revision was published; with Duration's end it gives the
	// delivery latency staff feel.
	Published time.Time
	Duration  time.Duration
}

// Coder is implemented by channel errors that carry the external API's code, so that
// metrics can count API errors by code.
type Coder interface {
	Code() string
}

// Worker delivers one channel's revisions. Run it in as many replicas as you like: they
// share the channel's consumer and each revision is handled by one of them at a time.
type Worker struct {
	// holder names this worker in the leases it takes (see lease.go).
	holder string
	cfg    Config
	ch     Channel
	cons   jetstream.Consumer
	store  *Store
	revs   Revisions
	log    *slog.Logger
}

// NewWorker returns a worker of cfg.Channel reading cons (see bus.Consumer).
func NewWorker(cfg Config, ch Channel, cons jetstream.Consumer, store *Store, revs Revisions) *Worker {
	cfg.defaults()
	return &Worker{holder: newHolder(), cfg: cfg, ch: ch, cons: cons, store: store, revs: revs,
		log: cfg.Logger.With("channel", cfg.Channel)}
}

// Run takes revisions until ctx ends, then lets the call in flight finish (up to
// Config.Grace) or hands its revision back, and returns nil. It returns an error only
// when its connection has been closed.
func (w *Worker) Run(ctx context.Context) error {
	w.log.Info("worker started")
	defer w.log.Info("worker stopped")
	for ctx.Err() == nil {
		msg, err := w.cons.Next(jetstream.FetchMaxWait(w.cfg.Poll))
		switch {
		case err == nil:
		case errors.Is(err, nats.ErrTimeout), errors.Is(err, jetstream.ErrNoMessages):
			continue
		case errors.Is(err, nats.ErrConnectionClosed):
			return fmt.Errorf("worker %s: %w", w.cfg.Channel, err)
		default:
			// A restarting server or a cluster electing a leader answers with errors for a
			// while (even "consumer not found"); keep asking rather than die.
			w.log.Warn("fetch failed; the bus may be restarting", "err", err)
			sleep(ctx, w.cfg.Poll)
			continue
		}
		// A revision fetched while stopping is handled like any other (within Grace)
		// rather than handed back: the server keeps acks across a restart, but not the
		// "redeliver now" of a hand-back, which would wait out the ack wait.
		w.handle(ctx, msg)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

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

// process carries out decide's choice for rev — reading the bulletin's latest revision
// first when a call may follow — records the outcome and returns how to settle.
func (w *Worker) process(ctx context.Context, m message, rev *bulletin.Revision, out *Outcome) settleFunc {
	rec, kvRev, err := w.store.Get(ctx, rev.ID, w.cfg.Channel)
	if err != nil {
		return w.busTrouble(ctx, m, rev, "read the delivery record", err, out)
	}
	in := input{channel: w.cfg.Channel, prev: rec, rev: rev,
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
			return w.busTrouble(ctx, m, rev, "read the latest revision", err, out)
		}
		in.latest = max(l.Rev, rev.Rev)
		d = decide(in)
	}
	switch {
	case d.ack:
		return ack
	case d.op == opNone:
		return w.record(ctx, m, &d.next, kvRev, out, ack)
	}
	out.Op = string(d.op)
	if d.giveUp {
		return w.record(ctx, m, &d.next, kvRev, out, term("gave up"))
	}
	d.job.CheckedAt = checked
	l, err := w.claim(ctx, d.next, kvRev)
	if errors.Is(err, ErrConflict) {
		return nakAfter(w.cfg.MinBackoff) // someone wrote the record meanwhile: look again
	}
	if err != nil {
		return w.busTrouble(ctx, m, rev, "claim the delivery", err, out)
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
		return w.record(ctx, m, &next, kvRev, out, ack)
	case classPermanent:
		return w.record(ctx, m, &next, kvRev, out, term("refused by channel"))
	}
	delay := w.backoff(next.Attempts-next.RedriveFrom, retryAfter)
	next.NextAttempt = now.Add(delay).UTC()
	return w.record(ctx, m, &next, kvRev, out, nakAfter(delay))
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
func (w *Worker) record(ctx context.Context, m message, next *Record, kvRev uint64, out *Outcome, settle settleFunc) settleFunc {
	next.Updated = w.cfg.Now().UTC()
	out.State, out.Err = next.State, next.Error
	var err error
	for range 5 {
		if _, err = w.store.Put(ctx, next, kvRev); err == nil {
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
	return w.busTrouble(ctx, m, nil, "record the delivery", err, out)
}
