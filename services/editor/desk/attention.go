package desk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/schedule"
)

// Remedy is what staff can do about a delivery that failed for a reason (a
// delivery.Reason* code): Retry is offered only where trying again can help — the
// fault was passing (tries, the bus, the quota) or lies in settings staff can fix
// without touching the bulletin (credentials, rights, the chat's id); Edit where the
// bulletin itself must change, which a retry would only repeat.
type Remedy struct {
	Retry bool
	Edit  bool
}

// RemedyFor is the remedy for reason. An unknown or empty reason (a record older than
// reasons, an error no channel classified) offers Retry: nothing says it cannot help.
func RemedyFor(reason string) Remedy {
	switch reason {
	case delivery.ReasonStartPassed, delivery.ReasonTooLong, delivery.ReasonFieldLimit:
		return Remedy{Edit: true}
	}
	return Remedy{Retry: true}
}

// ReasonKey is the catalogue key that says what reason means and what to do about
// it: "reason.start_passed"; "reason.unknown" for a code the editor does not know.
func ReasonKey(reason string) string {
	switch reason {
	case delivery.ReasonStartPassed, delivery.ReasonTooLong, delivery.ReasonFieldLimit, delivery.ReasonCredentials,
		delivery.ReasonRights, delivery.ReasonChatMoved, delivery.ReasonQuota, delivery.ReasonTriesExhausted, delivery.ReasonBus:
		return "reason." + reason
	}
	return "reason.unknown"
}

// ScheduleLate is how long past its time a schedule may still be waiting before staff
// are told it did not go out: the runner looks every few seconds, so a minute late is
// a runner that cannot publish.
const ScheduleLate = 2 * time.Minute

// Trouble is one thing that needs staff's attention: a bulletin's latest revision that
// died on a channel, or a schedule that did not go out.
type Trouble struct {
	ID, Title string
	// Channel and Record are set for a dead delivery.
	Channel string
	Record  *delivery.Record
	// Due is set for a schedule that did not go out at its time.
	Due time.Time
	Remedy
}

// Attention lists what needs staff's attention now, dead deliveries first. The panel
// is on every page and every live re-read, so it takes the dead records from the
// desk's one watch over the records (TrackSandboxes) and reads only those bulletins;
// it scans the bucket only while that watch has not read the records yet.
func (d *Desk) Attention(ctx context.Context) ([]Trouble, error) {
	recs, ok := d.sandbox.deadSet()
	if !ok {
		var err error
		if recs, err = d.deadRecords(ctx); err != nil {
			return nil, fmt.Errorf("attention: %w", err)
		}
	}
	latest := map[string]*bulletin.Revision{}
	for id := range recs { // one read per bulletin with a dead delivery: few
		rev, _, err := d.pub.Latest(ctx, id)
		if errors.Is(err, bus.ErrNotFound) {
			continue // a record without its bulletin: nothing staff can open
		}
		if err != nil {
			return nil, fmt.Errorf("attention: %s: %w", id, err)
		}
		latest[id] = rev
	}
	scheds, err := d.Schedules(ctx)
	if err != nil {
		return nil, fmt.Errorf("attention: %w", err)
	}
	return troubles(recs, latest, scheds, d.now()), nil
}

// deadMark is how a dead record's JSON says so: a record without it is not decoded.
var deadMark = []byte(`"state":"dead"`)

// deadRecords is allRecords for the dead ones only: the panel is on every page, and
// most records are not dead, so it decodes only those that say so.
func (d *Desk) deadRecords(ctx context.Context) (map[string][]*delivery.Record, error) {
	recs, err := d.records(ctx, func(raw []byte) bool { return bytes.Contains(raw, deadMark) })
	if err != nil {
		return nil, err
	}
	for id, rs := range recs { // the mark may stand in an error's text
		rs = slices.DeleteFunc(rs, func(r *delivery.Record) bool { return r.State != delivery.Dead })
		if len(rs) == 0 {
			delete(recs, id)
		} else {
			recs[id] = rs
		}
	}
	return recs, nil
}

// troubles decides what needs attention: a dead record of a bulletin's latest revision
// (an older revision's death is moot, the newer one is on its way) and a schedule more
// than ScheduleLate past its time.
func troubles(recs map[string][]*delivery.Record, latest map[string]*bulletin.Revision, scheds []schedule.Entry, now time.Time) []Trouble {
	var out []Trouble
	for id, rs := range recs {
		rev := latest[id]
		for _, r := range rs {
			if r.State != delivery.Dead || rev == nil || r.Rev < rev.Rev {
				continue
			}
			title := id
			if rev.Bulletin != nil {
				title = rev.Bulletin.Title
			}
			out = append(out, Trouble{ID: id, Title: title, Channel: r.Channel, Record: r, Remedy: RemedyFor(r.Reason)})
		}
	}
	slices.SortFunc(out, func(a, b Trouble) int { return b.Record.Updated.Compare(a.Record.Updated) })
	for _, e := range scheds {
		if e.Bulletin != nil && now.Sub(e.At) > ScheduleLate {
			out = append(out, Trouble{ID: e.Bulletin.ID, Title: e.Bulletin.Title, Due: e.At, Remedy: Remedy{Edit: true}})
		}
	}
	return out
}

// DeadEventID is the audit event id of a delivery's death: every editor replica
// watching the records writes the same id, and the audit stream keeps the first.
func DeadEventID(r *delivery.Record) string {
	return fmt.Sprintf("dead:%s:%s:%d:%d", r.ID, r.Channel, r.Rev, r.Attempts)
}

// auditDeath writes the audit event of r's death, in the system's name, once across
// replicas (DeadEventID, the stream's duplicate window). The desk's one watch of the
// records (TrackSandboxes) calls it for every record that turns dead after it has read
// the initial values: a death while no editor ran (or while its watch was down) is on
// the bulletin's page and in the needs-attention panel, not in the log.
func (d *Desk) auditDeath(ctx context.Context, r *delivery.Record) {
	if d.audit == nil || r.State != delivery.Dead {
		return
	}
	ev := deadEvent(r)
	if err := d.audit.RecordOnce(ctx, DeadEventID(r), ev); err != nil && ctx.Err() == nil {
		d.log.Error("audit log write failed", "action", ev.Action, "target", ev.Target, "err", err)
	}
}

// deadEvent is the audit event of a delivery's death: its reason code first, then
// the channel's words (already redacted by the worker).
func deadEvent(r *delivery.Record) audit.Event {
	detail := r.Error
	if r.Reason != "" {
		detail = r.Reason + ": " + r.Error
	}
	return audit.Event{Actor: audit.System, Via: "delivery", Action: audit.DeliveryDead,
		Target: fmt.Sprintf("%s@%d.%s", r.ID, r.Rev, r.Channel), OK: false, Detail: detail}
}

// WatchChanges tells, until ctx ends, when the schedules change — one is added,
// changed, cancelled or goes out — so live pages re-read themselves; delivery records
// come through Watch. It sends nothing (and never closes) when the bucket is missing.
func (d *Desk) WatchChanges(ctx context.Context) (<-chan struct{}, error) {
	out := make(chan struct{}, 1)
	if d.schedules == nil {
		return out, nil
	}
	w, err := d.schedules.WatchAll(ctx, jetstream.UpdatesOnly(), jetstream.MetaOnly())
	if err != nil {
		return nil, fmt.Errorf("watch schedules: %w", err)
	}
	go func() {
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil {
					continue
				}
				select {
				case out <- struct{}{}: // one pending signal is enough: the page re-reads all
				default:
				}
			}
		}
	}()
	return out, nil
}
