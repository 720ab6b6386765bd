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
	holder   string
	troubles troubles
	cfg      Config
	ch       Channel
	cons     jetstream.Consumer
	store    *Store
	revs     Revisions
	log      *slog.Logger
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
