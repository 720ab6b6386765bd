// Package audit is the editor's audit log: every login (and failed one), publish, edit,
// retract, retry, schedule and account change, kept in the AUDIT stream on the bus.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bus"
)

// Stream names the audit stream, which the set-up (bus.Setup, the admin's) creates with
// the rest of the layout. Changing it is a migration.
const (
	Stream  = bus.StreamAudit
	subject = bus.SubjectAudit
)

// DefaultMaxAge keeps the audit log for five years, the council's retention for
// records of public communication (bus.Layout's AUDIT).
const DefaultMaxAge = bus.AuditMaxAge

// Actions recorded.
const (
	Login          = "login"
	LoginFailed    = "login_failed"
	Logout         = "logout"
	Publish        = "publish"
	Edit           = "edit"
	Retract        = "retract"
	Retry          = "retry"
	Schedule       = "schedule"
	CancelSchedule = "schedule_cancel"
	SaveDraft      = "draft_save"
	DeleteDraft    = "draft_delete"
	Denied         = "denied"
	UserAdd        = "user_add"
	UserRemove     = "user_remove"
	UserUnlock     = "user_unlock"
	UserRole       = "user_role"
	// UserTOTPReset and UserPasswordForce are an administrator's: the member's next
	// login sets up a new second factor, or a new password.
	UserTOTPReset     = "user_totp_reset"
	UserPasswordForce = "user_password_force"
	// LoginSetup is a login whose factors were right and which must first set up a
	// second factor or a password (Detail says which); TOTPSetup and PasswordChange
	// are the member doing it.
	LoginSetup     = "login_setup"
	TOTPSetup      = "totp_setup"
	PasswordChange = "password_change"
	TokenCreate    = "token_create"
	TokenRevoke    = "token_revoke"
	// TokenRefused counts the requests of one source and minute with an unknown,
	// revoked or expired API token (see Tally).
	TokenRefused = "token_refused"
)

// DraftReady and DraftUnready mark a draft ready for a publisher's review, and take
// the mark back; TakeOverDraft copies a colleague's draft into one's own.
const (
	DraftReady    = "draft_ready"
	DraftUnready  = "draft_unready"
	TakeOverDraft = "draft_take_over"
)

// KeyRotate is "editor keys rotate" (recorded by the command line).
const KeyRotate = "key_rotate"

// DeliveryDead is a delivery the channel's worker gave up on (recorded by the editor's
// watch of the records, in System's name).
const DeliveryDead = "delivery_dead"

// System is the actor of what no person did: a delivery that died, an event whose
// actor was not known. The audit page shows it in words ("sistema").
const System = "system"

// Actions lists every action recorded, for the audit page's filter.
func Actions() []string {
	return []string{Login, LoginFailed, LoginSetup, Logout, Publish, Edit, Retract, Retry, Schedule, CancelSchedule,
		SaveDraft, DeleteDraft, DraftReady, DraftUnready, TakeOverDraft, Denied, UserAdd, UserRemove, UserUnlock, UserRole, UserTOTPReset, UserPasswordForce,
		TOTPSetup, PasswordChange, TokenCreate, TokenRevoke, TokenRefused, KeyRotate, DeliveryDead}
}

// Event is one entry. It never holds a secret: no password, code, cookie or token.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`            // account or token name; the name tried for a failed login
	Via    string    `json:"via,omitempty"`    // ui, api, cli
	Action string    `json:"action"`           // one of the constants above
	Target string    `json:"target,omitempty"` // bulletin id@rev, account or token name
	OK     bool      `json:"ok"`
	Detail string    `json:"detail,omitempty"`
	Remote string    `json:"remote,omitempty"` // client address
	// Count is how many requests an aggregated event stands for (see Tally).
	Count int `json:"count,omitempty"`
}

// Log writes and reads the audit stream. It is safe for concurrent use.
type Log struct {
	js     jetstream.JetStream
	stream jetstream.Stream
	now    func() time.Time
	size   usage
}

// Option sets up a Log beyond the defaults.
type Option func(*Log)

// WithLog is where the warning before the cap goes.
func WithLog(log *slog.Logger) Option { return func(l *Log) { l.size.log = log } }

// New creates or updates the audit stream and binds to it.
func New(ctx context.Context, js jetstream.JetStream, replicas int, now func() time.Time, opts ...Option) (*Log, error) {
	if now == nil {
		now = time.Now
	}
	l := &Log{js: js, now: now}
	for _, o := range opts {
		o(l)
	}
	if l.size.log == nil {
		l.size.log = slog.New(slog.DiscardHandler)
	}
	// The stream is the set-up's (bus.Layout: created with bus.AuditMaxBytes, oldest
	// dropped first) and its cap the operator's (nats stream edit AUDIT --max-bytes,
	// admin key), which the set-up keeps. The editor only binds, and reads the cap
	// from the stream for its warning: it never asks for a change, so no setting of
	// its own can disagree with the operator's.
	s, err := bus.BindStream(ctx, js, Stream)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	_ = replicas // the stream's replicas are the set-up's
	l.stream = s
	if info := s.CachedInfo(); info != nil {
		l.size.log.Info("audit log bound", "stream", Stream, "bytes", info.State.Bytes, "max_bytes", max(info.Config.MaxBytes, 0))
	}
	l.checkUsage(ctx)
	return l, nil
}

// Record appends e, stamping its time unless it has one (a tally dates the minute it
// counts). It returns the bus's error; the editor logs a
// failed write at error level for IT (the action it describes has already happened).
func (l *Log) Record(ctx context.Context, e Event) error {
	return l.record(ctx, e)
}

// RecordOnce is Record for an event that several replicas may see happen (a delivery
// dying): id names the event, and the stream keeps only the first of the same id
// within its duplicate window.
func (l *Log) RecordOnce(ctx context.Context, id string, e Event) error {
	return l.record(ctx, e, jetstream.WithMsgID(id))
}

func (l *Log) record(ctx context.Context, e Event, opts ...jetstream.PublishOpt) error {
	if e.At.IsZero() {
		e.At = l.now().UTC()
	}
	e = e.cleaned()
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	opts = append(opts, jetstream.WithExpectStream(Stream))
	if _, err := l.js.Publish(ctx, subject+"."+e.Action, data, opts...); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	if l.size.due() {
		l.checkUsage(ctx)
	}
	return nil
}

// Recent returns up to n newest events, newest first.
func (l *Log) Recent(ctx context.Context, n int) ([]Event, error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	st := info.State
	if st.Msgs == 0 || n <= 0 {
		return nil, nil
	}
	start := st.FirstSeq
	if st.LastSeq >= uint64(n) && st.LastSeq-uint64(n)+1 > start {
		start = st.LastSeq - uint64(n) + 1
	}
	out, err := l.readRange(ctx, start, st.LastSeq, "")
	if err != nil {
		return nil, err
	}
	slices.Reverse(out)
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// readRange returns the events of sequence start to end, oldest first; filter, when
// set, is the only subject read.
func (l *Log) readRange(ctx context.Context, start, end uint64, filter string) ([]Event, error) {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: start}
	if filter != "" {
		cfg.FilterSubjects = []string{filter}
	}
	c, err := l.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var out []Event
	for {
		batch, err := c.FetchNoWait(500)
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		got := 0
		var last uint64
		for msg := range batch.Messages() {
			got++
			if m, err := msg.Metadata(); err == nil {
				last = m.Sequence.Stream
			}
			if last > end {
				continue // read past the range: the next window has it
			}
			var e Event
			if json.Unmarshal(msg.Data(), &e) == nil {
				out = append(out, e)
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, fmt.Errorf("audit: %w", err)
		}
		if got == 0 || last >= end {
			return out, nil
		}
	}
}
