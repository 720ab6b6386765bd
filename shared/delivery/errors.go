package delivery

import (
	"errors"
	"fmt"
	"time"
)

// TemporaryError is a failure worth trying again: a 5xx, a time-out, a reset, a 429.
type TemporaryError struct {
	Err error
	// Reason is one of the Reason constants, or empty when the channel gave none.
	Reason string
	// RetryAfter is the least the channel asked to wait (Telegram's retry_after, the
	// time until YouTube's quota resets); the worker never tries earlier.
	RetryAfter time.Duration
}

func (e *TemporaryError) Error() string { return e.Err.Error() }
func (e *TemporaryError) Unwrap() error { return e.Err }

// Temporary marks err as worth retrying, not before retryAfter (0: the worker's back-off).
func Temporary(err error, retryAfter time.Duration) error {
	return &TemporaryError{Err: err, RetryAfter: retryAfter}
}

// TemporaryBecause is Temporary with a reason code (e.g. ReasonQuota).
func TemporaryBecause(reason string, err error, retryAfter time.Duration) error {
	return &TemporaryError{Err: err, RetryAfter: retryAfter, Reason: reason}
}

// PermanentError is a failure that trying again cannot fix: the channel refused the
// content or the credentials. The delivery goes to Dead with this reason.
type PermanentError struct {
	Err error
	// Reason is one of the Reason constants, or empty when the channel gave none.
	Reason string
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as final.
func Permanent(err error) error { return &PermanentError{Err: err} }

// PermanentBecause marks err as final with a reason code staff's screens turn into
// what to do (e.g. ReasonStartPassed: change the start and publish again).
func PermanentBecause(reason string, err error) error {
	return &PermanentError{Err: err, Reason: reason}
}

// Reasons a delivery failed, in Record.Reason: a small closed set, so the editor can
// say in the member's language what to do and whether Retry can help. A channel names
// one with PermanentBecause or TemporaryBecause; the worker names the last two. An
// empty reason (older records, unclassified errors) leaves only Record.Error.
const (
	// ReasonStartPassed: the live broadcast's start is not in the future. Fix: edit.
	ReasonStartPassed = "start_passed"
	// ReasonTooLong: the text is longer than the channel takes. Fix: edit.
	ReasonTooLong = "too_long"
	// ReasonFieldLimit: a field breaks the channel's rules (title, description,
	// privacy...). Fix: edit.
	ReasonFieldLimit = "field_limit"
	// ReasonCredentials: the channel refused the token or the OAuth credentials. Fix:
	// IT renews them, then Retry.
	ReasonCredentials = "credentials"
	// ReasonRights: the bot is not allowed to post in the chat (not an administrator,
	// removed). Fix: give it the rights, then Retry.
	ReasonRights = "rights"
	// ReasonChatMoved: the Telegram chat became a supergroup with a new id. Fix: IT
	// sets the new id, then Retry.
	ReasonChatMoved = "chat_moved"
	// ReasonQuota: YouTube's daily quota is spent. Retry after the reset helps.
	ReasonQuota = "quota"
	// ReasonTriesExhausted: every temporary attempt failed; the worker gave up. Retry.
	ReasonTriesExhausted = "tries_exhausted"
	// ReasonBus: the bus could not serve or record the revision. Retry.
	ReasonBus = "bus"
)

// reasonOf is the reason code err carries, or "".
func reasonOf(err error) string {
	var p *PermanentError
	if errors.As(err, &p) && p.Reason != "" {
		return p.Reason
	}
	var t *TemporaryError
	if errors.As(err, &t) {
		return t.Reason
	}
	return ""
}

// ErrSkip is returned (wrapped, see Skip) by a channel that does not carry a bulletin.
var ErrSkip = errors.New("skipped")

// Skip returns an ErrSkip with the reason staff will read, e.g. "no live block".
func Skip(reason string) error { return fmt.Errorf("%w: %s", ErrSkip, reason) }

type class int

const (
	classOK class = iota
	classSkip
	classTemporary
	classPermanent
)

// classify sorts a channel's error. Errors the channel did not classify are temporary:
// retrying an unknown failure a bounded number of times loses nothing.
func classify(err error) (class, time.Duration) {
	var t *TemporaryError
	var p *PermanentError
	switch {
	case err == nil:
		return classOK, 0
	case errors.Is(err, ErrSkip):
		return classSkip, 0
	case errors.As(err, &p):
		return classPermanent, 0
	case errors.As(err, &t):
		return classTemporary, t.RetryAfter
	}
	return classTemporary, 0
}

// ShowingError is a failure after which the channel still shows something of the
// bulletin: the parts of a split post that went out before a part was refused, say.
// The worker records Ref as what citizens can still see, so a dead or failed record
// never claims the channel is empty when it is not. Wrap it in Temporary or Permanent
// as usual; the worker finds it with errors.As.
type ShowingError struct {
	Err error
	// Ref is what the channel shows now (e.g. the message ids of the parts sent).
	Ref Ref
	// What says it in words staff read, e.g. "part 1 of 3 (message 41)".
	What string
}

func (e *ShowingError) Error() string { return e.Err.Error() }
func (e *ShowingError) Unwrap() error { return e.Err }

// Showing wraps err with what the channel still shows after it.
func Showing(err error, ref Ref, what string) error {
	return &ShowingError{Err: err, Ref: ref, What: what}
}
