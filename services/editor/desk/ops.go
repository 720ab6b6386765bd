package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/schedule"
)

// Scheduler keeps bulletins for later; *schedule.Store implements it. The editor
// service's schedule.Runner publishes them when due.
type Scheduler interface {
	Put(ctx context.Context, e schedule.Entry) error
	Cancel(ctx context.Context, id string) error
	Get(ctx context.Context, id string) (*schedule.Entry, error)
	List(ctx context.Context) ([]schedule.Entry, error)
}

// Outcome is what a publish did.
type Outcome struct {
	Revision *bulletin.Revision `json:"revision,omitempty"`
	// Changed is false when the content was already the latest revision.
	Changed bool `json:"changed"`
	// Scheduled is set when the bulletin was scheduled instead of published.
	Scheduled *time.Time `json:"scheduled,omitempty"`
	ID        string     `json:"id"`
	// KeptDrafts names whose draft of it was kept although the publish named it: she
	// changed it after the publisher opened it.
	KeptDrafts []string `json:"kept_drafts,omitempty"`
}

// Publish checks src and publishes it: a new bulletin, or an edit of the one with its
// id. A bulletin whose publish_at is in the future is scheduled instead, replacing any
// earlier schedule of the id; one published now cancels any schedule of its id, so an
// old text never goes out later over it. It returns *InvalidError, *ForbiddenError or
// *ConflictError for staff to act on.
func (d *Desk) Publish(ctx context.Context, a Actor, src []byte, in Intent) (*Outcome, error) {
	if err := d.allow(ctx, a, "publish", accounts.Publisher, ""); err != nil {
		return nil, err
	}
	b, ps, err := d.Check(ctx, src, in)
	if err != nil {
		return nil, err
	}
	if len(ps) > 0 {
		return nil, &InvalidError{Problems: ps}
	}
	if b.PublishAt != nil && b.PublishAt.After(d.now()) {
		return d.schedule(ctx, a, b, in)
	}
	if err := d.cancelFirst(ctx, a, b.ID, "published now instead"); err != nil {
		return nil, fmt.Errorf("publish %s: could not cancel its schedule, so nothing was published: %w", b.ID, err)
	}
	writer := d.writerOf(ctx, b.ID, in.DraftOf)
	p, err := d.pub.PublishWritten(ctx, b, a.Name, writer)
	if err != nil {
		d.record(ctx, a, audit.Publish, b.ID, false, err.Error())
		return nil, fmt.Errorf("publish %s: %w", b.ID, err)
	}
	kept := d.draftsDone(ctx, a, b, in, "publishing "+p.Revision.Key())
	action := audit.Publish
	if p.Revision.Action == bulletin.Edit {
		action = audit.Edit
	}
	detail := b.Title
	if !p.Changed {
		detail = "unchanged: nothing published"
	} else if p.Revision.Writer != "" {
		detail += " — written by " + p.Revision.Writer
	}
	d.record(ctx, a, action, p.Revision.Key(), true, detail)
	return &Outcome{ID: b.ID, Revision: p.Revision, Changed: p.Changed, KeptDrafts: kept}, nil
}

// schedule keeps b for its publish_at, naming the writer of the draft it publishes, so
// the revision the runner publishes names her as an immediate publish would.
func (d *Desk) schedule(ctx context.Context, a Actor, b *bulletin.Bulletin, in Intent) (*Outcome, error) {
	if d.sched == nil {
		return nil, &InvalidError{Problems: []Problem{{Field: "publish_at", Message: "scheduling is not available on this server; leave it empty to publish now",
			Msg: i18n.M("problem.noScheduling")}}}
	}
	at := *b.PublishAt
	e := schedule.Entry{Bulletin: b, At: at, Author: a.Name, Writer: d.writerOf(ctx, b.ID, in.DraftOf), Created: d.now().UTC()}
	if err := d.sched.Put(ctx, e); err != nil {
		d.record(ctx, a, audit.Schedule, b.ID, false, err.Error())
		return nil, busy(fmt.Errorf("schedule %s: %w", b.ID, err))
	}
	kept := d.draftsDone(ctx, a, b, in, "scheduling it for "+at.Format(time.RFC3339))
	detail := "for " + at.Format(time.RFC3339) + ": " + b.Title
	if e.Writer != "" && e.Writer != a.Name {
		detail += " — written by " + e.Writer
	}
	d.record(ctx, a, audit.Schedule, b.ID, true, detail)
	return &Outcome{ID: b.ID, Scheduled: &at, KeptDrafts: kept}, nil
}

// Schedules lists the bulletins waiting for their time, soonest first.
func (d *Desk) Schedules(ctx context.Context) ([]schedule.Entry, error) {
	if d.sched == nil {
		return nil, nil
	}
	return d.sched.List(ctx)
}

// Scheduled returns the schedule of id, or nil.
func (d *Desk) Scheduled(ctx context.Context, id string) (*schedule.Entry, error) {
	if err := checkID("schedule", id); err != nil {
		return nil, err
	}
	if d.sched == nil {
		return nil, nil
	}
	e, err := d.sched.Get(ctx, id)
	if errors.Is(err, schedule.ErrNotFound) {
		return nil, nil
	}
	return e, err
}

// CancelSchedule cancels the schedule of id; nothing is published.
func (d *Desk) CancelSchedule(ctx context.Context, a Actor, id string) error {
	if err := checkID("cancel schedule", id); err != nil {
		return err
	}
	if err := d.allow(ctx, a, "cancel a schedule", accounts.Publisher, id); err != nil {
		return err
	}
	if d.sched == nil {
		return &NotFoundError{What: "schedule of " + id, Thing: "schedule", ID: id}
	}
	err := d.sched.Cancel(ctx, id)
	if errors.Is(err, schedule.ErrNotFound) {
		return &NotFoundError{What: "schedule of " + id, Thing: "schedule", ID: id}
	}
	if err != nil {
		return busy(fmt.Errorf("cancel schedule of %s: %w", id, err))
	}
	d.record(ctx, a, audit.CancelSchedule, id, true, "")
	return nil
}

// Retract withdraws id from every channel, giving no reason (see RetractBecause).
func (d *Desk) Retract(ctx context.Context, a Actor, id string) (*bulletin.Revision, error) {
	return d.RetractBecause(ctx, a, id, "")
}

// MaxReasonChars bounds a retraction's reason: a sentence or two, not a document in
// the audit log.
const MaxReasonChars = 500

// RetractBecause withdraws id from every channel and keeps why in the audit event,
// where whoever asks later ("why did this disappear?") finds it. A schedule of it is
// cancelled first, so a runner cannot send the text out again after the retraction.
func (d *Desk) RetractBecause(ctx context.Context, a Actor, id, reason string) (*bulletin.Revision, error) {
	if err := checkID("retract", id); err != nil {
		return nil, err
	}
	if err := d.allow(ctx, a, "retract", accounts.Publisher, id); err != nil {
		return nil, err
	}
	latest, _, err := d.pub.Latest(ctx, id)
	if err != nil && !errors.Is(err, bus.ErrNotFound) {
		return nil, fmt.Errorf("retract %s: %w", id, err)
	}
	if latest != nil && latest.Action == bulletin.Retract {
		d.record(ctx, a, audit.Retract, id, false, "already retracted")
		return nil, &InvalidError{Problems: []Problem{{Message: fmt.Sprintf("%s is already retracted (revision %d): nothing is left to withdraw", id, latest.Rev),
			Msg: i18n.M("problem.alreadyRetracted", id, fmt.Sprint(latest.Rev))}}}
	}
	if err := d.cancelFirst(ctx, a, id, "retracted"); err != nil {
		return nil, fmt.Errorf("retract %s: could not cancel its schedule, so nothing was retracted: %w", id, err)
	}
	rev, err := d.pub.Retract(ctx, id, a.Name)
	if err != nil {
		d.record(ctx, a, audit.Retract, id, false, err.Error())
		return nil, notFound(err, "bulletin", id)
	}
	d.record(ctx, a, audit.Retract, rev.Key(), true, retractDetail(rev.Bulletin.Title, reason))
	return rev, nil
}

// cancelFirst cancels the schedule of id, if any, before an operation that must not be
// followed by the scheduled text: publishing now, retracting. While a runner is
// sending it out it answers *BusyError: staff try again once it has gone.
func (d *Desk) cancelFirst(ctx context.Context, a Actor, id, why string) error {
	if d.sched == nil {
		return nil
	}
	err := d.sched.Cancel(ctx, id)
	switch {
	case err == nil:
		d.record(ctx, a, audit.CancelSchedule, id, true, why)
		return nil
	case errors.Is(err, schedule.ErrNotFound):
		return nil
	}
	return busy(err)
}

// busy turns schedule.ErrPublishing into a *BusyError.
func busy(err error) error {
	if errors.Is(err, schedule.ErrPublishing) {
		return &BusyError{Err: err}
	}
	return err
}

// Retry sends a dead delivery of id on channel back to the channel's worker.
func (d *Desk) Retry(ctx context.Context, a Actor, id, channel string) error {
	if err := checkID("retry", id); err != nil {
		return err
	}
	if err := d.allow(ctx, a, "retry a delivery", accounts.Publisher, id+"."+channel); err != nil {
		return err
	}
	if !slices.Contains(bulletin.KnownChannels, channel) {
		return &InvalidError{Problems: []Problem{{Field: "channel", Message: fmt.Sprintf("unknown channel %q (want telegram, youtube or web)", channel),
			Msg: i18n.M("problem.unknownChannel", channel, strings.Join(bulletin.KnownChannels, ", "))}}}
	}
	rec, _, err := d.store.Get(ctx, id, channel)
	if err != nil {
		return err
	}
	if rec == nil {
		d.record(ctx, a, audit.Retry, id+"."+channel, false, "no delivery recorded yet")
		return &InvalidError{Problems: []Problem{{Field: "channel", Message: fmt.Sprintf("no delivery of %s on %s is recorded yet: the %s worker has not taken it, so there is nothing to retry", id, channel, channel),
			Msg: i18n.M("problem.noDelivery", id, channel)}}}
	}
	err = delivery.Redrive(ctx, d.store, d.pub, id, channel, a.Name)
	d.record(ctx, a, audit.Retry, id+"."+channel, err == nil, errText(err))
	if errors.Is(err, delivery.ErrNotDead) {
		return &InvalidError{Problems: []Problem{{Field: "channel", Message: err.Error() + ": only a dead delivery can be retried; the worker is still on it",
			Msg: i18n.M("problem.notDead")}}}
	}
	return err
}

// retractDetail is the audit detail of a retraction: the title, then the reason on
// one line (a newline would break the log's one-event-per-line views), cut to size.
func retractDetail(title, reason string) string {
	reason = strings.Join(strings.Fields(reason), " ")
	if reason == "" {
		return title
	}
	if r := []rune(reason); len(r) > MaxReasonChars {
		reason = string(r[:MaxReasonChars]) + "…"
	}
	return title + " — reason: " + reason
}

// GoesOutLater reports whether a bulletin with this publish_at (RFC 3339, as in
// Fields) would be scheduled rather than published at once: the UI asks to confirm
// only what goes out now.
func (d *Desk) GoesOutLater(publishAt string) bool {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(publishAt))
	return err == nil && t.After(d.now())
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
