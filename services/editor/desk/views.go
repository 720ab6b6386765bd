package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// Row is one bulletin in the list: its latest revision and where it stands on each
// channel.
type Row struct {
	Latest   *bulletin.Revision       `json:"latest"`
	Channels []delivery.ChannelStatus `json:"channels"`
}

// Overview lists every bulletin, most recently changed first, with its delivery states.
func (d *Desk) Overview(ctx context.Context) ([]Row, error) {
	var revs []*bulletin.Revision
	if err := d.pub.EachLatest(ctx, func(r *bulletin.Revision) error { revs = append(revs, r); return nil }); err != nil {
		return nil, fmt.Errorf("list bulletins: %w", err)
	}
	slices.Reverse(revs)
	recs, err := d.allRecords(ctx)
	if err != nil {
		return nil, fmt.Errorf("list bulletins: %w", err)
	}
	rows := make([]Row, 0, len(revs))
	for _, r := range revs {
		rows = append(rows, Row{Latest: r, Channels: channelStates(r, recs[r.ID])})
	}
	return rows, nil
}

// allRecords reads every current delivery record in one pass over the bucket (a
// watcher's initial values), by bulletin id: one round of reads for the whole list
// instead of one per bulletin.
func (d *Desk) allRecords(ctx context.Context) (map[string][]*delivery.Record, error) {
	return d.records(ctx, func([]byte) bool { return true })
}

// records is allRecords for the records whose raw JSON passes keep, decoded only then.
func (d *Desk) records(ctx context.Context, keep func([]byte) bool) (map[string][]*delivery.Record, error) {
	w, err := d.deliveries.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, err
	}
	defer func() { _ = w.Stop() }()
	out := map[string][]*delivery.Record{}
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok || e == nil {
				return out, nil // nil: the initial values are all here
			}
			if !keep(e.Value()) {
				continue
			}
			var rec delivery.Record
			if err := json.Unmarshal(e.Value(), &rec); err != nil {
				continue // one unreadable record must not hide the list; GetStatus reports it
			}
			out[rec.ID] = append(out[rec.ID], &rec)
		}
	}
}

// channelStates is delivery.GetStatus for a revision already read.
func channelStates(latest *bulletin.Revision, recs []*delivery.Record) []delivery.ChannelStatus {
	by := map[string]*delivery.Record{}
	for _, r := range recs {
		by[r.Channel] = r
	}
	var out []delivery.ChannelStatus
	for _, ch := range bulletin.KnownChannels {
		rec := by[ch]
		if rec == nil && !latest.Bulletin.HasChannel(ch) {
			continue
		}
		cs := delivery.ChannelStatus{Channel: ch, State: delivery.Pending, Record: rec}
		if rec != nil && rec.Rev >= latest.Rev {
			cs.State = rec.State
		}
		out = append(out, cs)
	}
	return out
}

// Status is where bulletin id stands on every channel.
func (d *Desk) Status(ctx context.Context, id string) (*delivery.Status, error) {
	if err := checkID("status", id); err != nil {
		return nil, err
	}
	st, err := delivery.GetStatus(ctx, d.pub, d.store, id)
	if err != nil {
		return nil, notFound(err, "bulletin", id)
	}
	return st, nil
}

// Change is one revision in a bulletin's history, with what it changed.
type Change struct {
	Revision *bulletin.Revision `json:"revision"`
	// Diff is the line diff of the bulletin file against the revision before.
	Diff []DiffLine `json:"diff"`
	// What is the same change in words: each field before and after.
	What Changes `json:"what"`
}

// History returns every revision of id, newest first, each with its diff.
func (d *Desk) History(ctx context.Context, id string) ([]Change, error) {
	if err := checkID("history", id); err != nil {
		return nil, err
	}
	revs, err := d.pub.History(ctx, id)
	if err != nil {
		return nil, notFound(err, "bulletin", id)
	}
	out := make([]Change, len(revs))
	what := changesOf(revs, d.retractReasons(ctx, id))
	var prev []byte
	for i, r := range revs {
		cur := FieldsOf(r.Bulletin).Source()
		if r.Action == bulletin.Retract {
			cur = nil
		}
		out[len(revs)-1-i] = Change{Revision: r, Diff: Diff(string(prev), string(cur)), What: what[i]}
		prev = cur
	}
	return out, nil
}

// Deliveries returns the delivery history of id on channel (the worker's attempts).
func (d *Desk) Deliveries(ctx context.Context, id, channel string) ([]*delivery.Record, error) {
	if err := checkID("deliveries", id); err != nil {
		return nil, err
	}
	if !slices.Contains(bulletin.KnownChannels, channel) {
		return nil, &InvalidError{Problems: []Problem{{Field: "channel", Message: fmt.Sprintf("unknown channel %q (want telegram, youtube or web)", channel),
			Msg: i18n.M("problem.unknownChannel", channel, strings.Join(bulletin.KnownChannels, ", "))}}}
	}
	return d.store.History(ctx, id, channel)
}

// Watch streams changes to delivery records until ctx ends (for live updates).
func (d *Desk) Watch(ctx context.Context) (<-chan *delivery.Record, error) {
	return d.store.Watch(ctx)
}

// Latest returns the newest revision of id.
func (d *Desk) Latest(ctx context.Context, id string) (*bulletin.Revision, error) {
	if err := checkID("read", id); err != nil {
		return nil, err
	}
	r, _, err := d.pub.Latest(ctx, id)
	if err != nil {
		return nil, notFound(err, "bulletin", id)
	}
	return r, nil
}
