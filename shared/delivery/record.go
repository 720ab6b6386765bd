// Package delivery tracks, for every bulletin and every channel, whether it arrived, and
// runs the loop every channel plugs into: take a revision, skip it if the channel already
// has it, call the channel, record the outcome, acknowledge.
//
// A channel implements Channel (deliver, update, retract) and classifies its errors with
// Temporary, Permanent or Skip; the Worker does the rest: ordering, idempotency,
// back-off, giving up with a reason, re-drive and graceful hand-back on shutdown.
package delivery

import (
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

// State of a bulletin on one channel.
type State string

const (
	// Pending: the channel has not yet handled the bulletin's latest revision. Nothing
	// writes this state for a new revision; Status derives it. A re-drive writes it.
	Pending State = "pending"
	// Delivered: the channel shows the revision in Record.Rev.
	Delivered State = "delivered"
	// Failed: the last attempt failed temporarily; another is due at NextAttempt.
	Failed State = "failed"
	// Dead: the channel refused the revision, or every attempt failed; Error says why.
	// Staff can re-drive it.
	Dead State = "dead"
	// Retracted: the channel no longer shows the bulletin.
	Retracted State = "retracted"
	// Skipped: the channel does not carry this bulletin (e.g. YouTube without a live block).
	Skipped State = "skipped"
	// Sending: a worker is calling the channel with this revision now; Lease says which
	// and until when. A worker that dies mid-call leaves it so: the next one knows the
	// channel may have acted (Uncertain) and takes over once the lease has expired.
	Sending State = "sending"
	// Superseded: a newer revision was on the bus before the channel got to this one, so
	// no call was made for it; SupersededBy names the newer revision, which the channel
	// takes up next. What the channel shows (Carried, Ref) is as before.
	Superseded State = "superseded"
)

// Final reports whether the worker is done with the record's revision.
func (s State) Final() bool {
	switch s {
	case Delivered, Dead, Retracted, Skipped, Superseded:
		return true
	}
	return false
}

// Ref is the channel's own reference to what it carries, so it can edit or remove it.
type Ref struct {
	// URL where a citizen sees the bulletin on this channel, if it has one.
	URL string `json:"url,omitempty"`
	// IDs the channel gave: Telegram message ids (one per part), a YouTube broadcast id.
	IDs []string `json:"ids,omitempty"`
	// Target the channel posted to, e.g. a Telegram chat id.
	Target string `json:"target,omitempty"`
	// SentAt is when the bulletin first appeared on the channel.
	SentAt time.Time `json:"sent_at,omitzero"`
	// Sandbox is set when the channel is a local sandbox, not the real service: nothing
	// reached citizens, and the URL is not one to show them.
	Sandbox bool `json:"sandbox,omitempty"`
	// Note is what staff should know about how the channel delivered, e.g. that a lost
	// reply may repeat a post because the bot's rights make checking unsafe.
	Note string `json:"note,omitempty"`
}

// Record is the delivery record of one bulletin on one channel: key "<id>.<channel>" in
// the DELIVERIES bucket. Each write is a new version, so its history is the audit trail.
type Record struct {
	ID      string          `json:"id"`
	Channel string          `json:"channel"`
	Rev     int             `json:"rev"`    // the revision this record is about
	Action  bulletin.Action `json:"action"` // that revision's action
	State   State           `json:"state"`
	// Carried is the revision the channel shows in full now; 0 when it shows none.
	Carried int `json:"carried,omitempty"`
	// Ref is what the channel shows now: the carried revision, or after a failure the
	// parts still visible (see Visible). It is empty once retracted or skipped.
	Ref Ref `json:"ref,omitzero"`
	// Visible says in words what citizens can still see when the channel does not show
	// Rev in full (a failed or dead delivery): "part 1 of 3 (message 41)", "revision 2".
	// Empty when nothing is known to be visible beyond Carried.
	Visible string `json:"visible,omitempty"`
	// Uncertain is set when the last call to the channel for this bulletin failed, so the
	// channel may have acted in part or in full without saying so (a lost reply). The
	// next call is told (Job.Retry) and a retraction asks the channel even when nothing
	// is known to be shown. A successful call clears it.
	Uncertain bool `json:"uncertain,omitempty"`
	// SupersededBy is the newer revision that made this one Superseded.
	SupersededBy int `json:"superseded_by,omitempty"`
	// Attempts counts attempts at Rev, across re-drives (a channel told Job.Retry knows
	// it may have acted already); RedriveFrom is Attempts when staff last re-drove it,
	// and the give-up limit counts from there.
	Attempts    int    `json:"attempts"`
	RedriveFrom int    `json:"redrive_from,omitempty"`
	Error       string `json:"error,omitempty"`
	// Reason is Error's code (the Reason constants, e.g. "start_passed"), for screens
	// that say what to do; empty on success and on records written before it existed.
	Reason string `json:"reason,omitempty"`
	// NextAttempt is when a failed delivery is tried again.
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	Updated     time.Time `json:"updated"`
	// By is who asked for the last change when it was a person (a re-drive).
	By string `json:"by,omitempty"`
	// Lease is set while a worker calls the channel (State Sending).
	Lease *Lease `json:"lease,omitempty"`
}

// Lease keeps every other worker away from a bulletin on a channel while one calls it.
// The bus may hand a message to a second replica while the first still works on it (a
// server restart loses the heartbeats); without the lease the second could act on an
// older decision after the first acted on a newer one, and the record would lie.
type Lease struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
}
