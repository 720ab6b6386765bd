package delivery

import (
	"errors"
	"fmt"
	"time"
)

// TemporaryError is a failure worth trying again: a 5xx, a time-out, a reset, a 429.
type TemporaryError struct {
	Err error
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

// PermanentError is a failure that trying again cannot fix: the channel refused the
// content or the credentials. The delivery goes to Dead with this reason.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as final.
func Permanent(err error) error { return &PermanentError{Err: err} }

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
