// Package audit is the editor's audit log: every login (and failed one), publish, edit,
// retract, retry, schedule and account change, kept in the AUDIT stream on the bus.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Stream names the audit stream. Changing it is a migration.
const (
	Stream  = "AUDIT"
	subject = "audit"
)

// DefaultMaxAge keeps the audit log for five years, the council's retention for
// records of public communication.
const DefaultMaxAge = 5 * 365 * 24 * time.Hour

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
	TokenCreate    = "token_create"
	TokenRevoke    = "token_revoke"
	// TokenRefused counts the requests of one source and minute with an unknown,
	// revoked or expired API token (see Tally).
	TokenRefused = "token_refused"
)

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
}

// New creates or updates the audit stream and binds to it.
func New(ctx context.Context, js jetstream.JetStream, replicas int, now func() time.Time) (*Log, error) {
	s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        Stream,
		Description: "pregoner editor: audit log of logins, publishes and account changes",
		Subjects:    []string{subject + ".>"},
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
		MaxAge:      DefaultMaxAge,
	})
	if err != nil {
		return nil, fmt.Errorf("audit: stream %s: %w", Stream, err)
	}
	if now == nil {
		now = time.Now
	}
	return &Log{js: js, stream: s, now: now}, nil
}

// Record appends e, stamping its time unless it has one (a tally dates the minute it
// counts). It returns the bus's error; the editor logs a
// failed write at error level for IT (the action it describes has already happened).
func (l *Log) Record(ctx context.Context, e Event) error {
	if e.At.IsZero() {
		e.At = l.now().UTC()
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	if _, err := l.js.Publish(ctx, subject+"."+e.Action, data, jetstream.WithExpectStream(Stream)); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
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
	c, err := l.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: start,
	})
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
			var e Event
			if json.Unmarshal(msg.Data(), &e) == nil {
				out = append(out, e)
			}
			if m, err := msg.Metadata(); err == nil {
				last = m.Sequence.Stream
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, fmt.Errorf("audit: %w", err)
		}
		if got == 0 || last >= st.LastSeq {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}
