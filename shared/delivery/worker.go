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
	// Attempt counts attempts at this revision, from 1.
	Attempt int
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
	cfg   Config
	ch    Channel
	cons  jetstream.Consumer
	store *Store
	revs  Revisions
	log   *slog.Logger
}

// NewWorker returns a worker of cfg.Channel reading cons (see bus.Consumer).
func NewWorker(cfg Config, ch Channel, cons jetstream.Consumer, store *Store, revs Revisions) *Worker {
	cfg.defaults()
	return &Worker{cfg: cfg, ch: ch, cons: cons, store: store, revs: revs,
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

	rev, err := w.revision(callCtx, msg)
	if err != nil {
		out.Err = err.Error()
		w.log.Error("unreadable message; dropped", "subject", msg.Subject(), "err", err)
		_ = msg.TermWithReason(err.Error())
		return
	}
	out.ID, out.Rev, out.Published = rev.ID, rev.Rev, rev.At
	numDelivered := uint64(1)
	if meta, err := msg.Metadata(); err == nil {
		numDelivered = meta.NumDelivered
	}
	settle := w.process(callCtx, rev, numDelivered, &out)
	settle(msg)
}

// revision reads the revision a message is about: its body, or for a re-drive request
// the bulletin's latest revision.
func (w *Worker) revision(ctx context.Context, msg jetstream.Msg) (*bulletin.Revision, error) {
	id, redrive, ok := bus.ParseSubject(msg.Subject())
	if !ok {
		return nil, fmt.Errorf("unexpected subject %q", msg.Subject())
	}
	if redrive == "" {
		return bus.Decode(msg.Data())
	}
	rev, _, err := w.revs.Latest(ctx, id)
	return rev, err
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

// process decides what the channel must do with rev, does it, records the outcome and
// returns how to settle the message.
func (w *Worker) process(ctx context.Context, rev *bulletin.Revision, numDelivered uint64, out *Outcome) settleFunc {
	rec, kvRev, err := w.store.Get(ctx, rev.ID, w.cfg.Channel)
	if err != nil {
		w.log.Warn("delivery store unreachable; will retry", "id", rev.ID, "err", err)
		return nakAfter(w.cfg.MinBackoff)
	}
	prev := Record{}
	if rec != nil {
		prev = *rec
		if rec.Rev > rev.Rev || (rec.Rev == rev.Rev && rec.State.Final()) {
			return ack // already handled: a duplicate, or a revision the channel has moved past
		}
	}
	named := rev.Bulletin.HasChannel(w.cfg.Channel)
	carrying := prev.Carried > 0
	next := Record{ID: rev.ID, Channel: w.cfg.Channel, Rev: rev.Rev, Action: rev.Action,
		Carried: prev.Carried, Ref: prev.Ref, Attempts: 1}
	if prev.Rev == rev.Rev {
		next.Attempts = prev.Attempts + 1
	}

	var op string
	switch {
	case (rev.Action == bulletin.Retract || !named) && !carrying:
		if rec == nil && !named {
			return ack // never meant for this channel
		}
		next.State = Retracted
		if rev.Action != bulletin.Retract {
			next.State, next.Error = Skipped, "not among the bulletin's channels"
		}
		return w.record(ctx, &next, kvRev, out, ack)
	case rev.Action == bulletin.Retract || !named:
		op = "retract"
	case carrying:
		op = "update"
	default:
		op = "deliver"
	}
	out.Op = op
	if next.Attempts > w.cfg.MaxAttempts {
		next.State = Dead
		next.Error = fmt.Sprintf("gave up after %d attempts: %s", w.cfg.MaxAttempts, prev.Error)
		return w.record(ctx, &next, kvRev, out, func(m jetstream.Msg) { _ = m.TermWithReason("gave up") })
	}

	job := Job{Revision: rev, Prev: prev, Attempt: next.Attempts, Retry: next.Attempts > 1 || numDelivered > 1}
	ref, callErr := w.call(ctx, op, job)
	if callErr != nil && ctx.Err() != nil {
		// Shutting down: hand the revision back untouched; another replica takes it now.
		w.log.Info("handing back in-flight delivery", "id", rev.ID, "rev", rev.Rev)
		return func(m jetstream.Msg) { _ = m.Nak() }
	}

	class, retryAfter := classify(callErr)
	out.RetryAfter = retryAfter
	var coder Coder
	if errors.As(callErr, &coder) {
		out.Code = coder.Code()
	}
	now := w.cfg.Now()
	switch class {
	case classOK:
		next.State, next.Carried, next.Ref = Delivered, rev.Rev, ref
		if op == "retract" {
			next.State, next.Carried, next.Ref = Retracted, 0, prev.Ref
			if !named && rev.Action != bulletin.Retract {
				next.Error = "removed from the bulletin's channels"
			}
		} else if next.Ref.SentAt.IsZero() {
			next.Ref.SentAt = prev.Ref.SentAt
			if op == "deliver" || next.Ref.SentAt.IsZero() {
				next.Ref.SentAt = now.UTC()
			}
		}
		return w.record(ctx, &next, kvRev, out, ack)
	case classSkip:
		next.State, next.Error = Skipped, w.cfg.Redact(callErr.Error())
		return w.record(ctx, &next, kvRev, out, ack)
	case classPermanent:
		next.State, next.Error = Dead, w.cfg.Redact(callErr.Error())
		return w.record(ctx, &next, kvRev, out, func(m jetstream.Msg) { _ = m.TermWithReason("refused by channel") })
	}
	delay := w.backoff(next.Attempts, retryAfter)
	next.State, next.Error, next.NextAttempt = Failed, w.cfg.Redact(callErr.Error()), now.Add(delay).UTC()
	return w.record(ctx, &next, kvRev, out, nakAfter(delay))
}

func (w *Worker) call(ctx context.Context, op string, job Job) (Ref, error) {
	switch op {
	case "update":
		return w.ch.Update(ctx, job)
	case "retract":
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
// when the bus does not take the write — a short nak so the revision comes back.
func (w *Worker) record(ctx context.Context, next *Record, kvRev uint64, out *Outcome, settle settleFunc) settleFunc {
	next.Updated = w.cfg.Now().UTC()
	out.State, out.Err = next.State, next.Error
	for range 5 {
		_, err := w.store.Put(ctx, next, kvRev)
		if err == nil {
			w.log.Info("delivery recorded", "id", next.ID, "rev", next.Rev, "op", out.Op,
				"state", next.State, "attempt", next.Attempts, "err", next.Error)
			return settle
		}
		if !errors.Is(err, ErrConflict) {
			w.log.Warn("recording delivery failed; will retry", "id", next.ID, "rev", next.Rev, "err", err)
			break
		}
		// Someone else wrote the record meanwhile (a re-drive request). A newer revision
		// there wins; otherwise write ours over it.
		cur, rev, gerr := w.store.Get(ctx, next.ID, next.Channel)
		if gerr != nil {
			break
		}
		if cur != nil && cur.Rev > next.Rev {
			return settle
		}
		kvRev = rev
	}
	out.State = ""
	return nakAfter(w.cfg.MinBackoff)
}
