package deliverytest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// settle stops the faults, re-drives what died (as staff would) and waits until the
// channel has converged, then fails the test with every difference if it has not.
func (m *model) settle() {
	m.t.Helper()
	m.double.SetFaultRate(0)
	deadline := time.Now().Add(m.cfg.Settle)
	var diffs []string
	for {
		m.redriveDead()
		diffs = m.differences()
		if len(diffs) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	diffs = append(diffs, m.double.Violations()...)
	if len(diffs) > 0 {
		m.fatalf("the channel did not converge on the latest decisions (%s; %s):\n  %s",
			m.summary(), m.double.Stats(), strings.Join(diffs, "\n  "))
	}
}

// differences lists every way the channel, its records or its queue differ from the
// latest decisions on the bus.
func (m *model) differences() []string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []string
	for _, id := range m.ids {
		latest, _, err := m.pub.Latest(ctx, id)
		if errors.Is(err, bus.ErrNotFound) {
			if s, _ := m.double.Shown(id); s != 0 {
				out = append(out, fmt.Sprintf("%s: never published, yet %s@%d shows", id, id, s))
			}
			continue
		}
		if err != nil {
			return append(out, fmt.Sprintf("%s: read latest: %v", id, err))
		}
		out = append(out, m.compare(ctx, latest)...)
	}
	if info, err := m.consumerInfo(ctx); err != nil {
		out = append(out, fmt.Sprintf("consumer: %v", err))
	} else if info != "" {
		out = append(out, info)
	}
	return out
}

func (m *model) compare(ctx context.Context, latest *bulletin.Revision) []string {
	id := latest.ID
	want := 0
	if latest.Action != bulletin.Retract && latest.Bulletin.HasChannel(channel) {
		want = latest.Rev
	}
	var out []string
	if got, partial := m.double.Shown(id); got != want || partial {
		out = append(out, fmt.Sprintf("%s: citizens see revision %d (partly: %v), latest decision is %d (%s)", id, got, partial, want, latest.Action))
	}
	rec, _, err := m.store.Get(ctx, id, channel)
	if err != nil {
		return append(out, fmt.Sprintf("%s: read record: %v", id, err))
	}
	switch {
	case rec == nil && want == 0:
	case rec == nil:
		out = append(out, fmt.Sprintf("%s: no record, latest is %d", id, latest.Rev))
	case rec.Rev != latest.Rev:
		out = append(out, fmt.Sprintf("%s: record at revision %d (%s), latest is %d", id, rec.Rev, rec.State, latest.Rev))
	case want > 0 && (rec.State != delivery.Delivered || rec.Carried != want):
		out = append(out, fmt.Sprintf("%s: record %s carrying %d, channel shows %d", id, rec.State, rec.Carried, want))
	case want == 0 && (rec.State != delivery.Retracted && rec.State != delivery.Skipped || rec.Carried != 0 || len(rec.Ref.IDs) > 0):
		out = append(out, fmt.Sprintf("%s: record %s carrying %d (ids %v), channel shows nothing", id, rec.State, rec.Carried, rec.Ref.IDs))
	}
	st, err := delivery.GetStatus(ctx, m.pub, m.store, id)
	if err != nil {
		return append(out, fmt.Sprintf("%s: status: %v", id, err))
	}
	for _, cs := range st.Channels {
		if cs.Channel == channel && !cs.State.Final() {
			out = append(out, fmt.Sprintf("%s: status on %s is %s", id, channel, cs.State))
		}
	}
	return out
}

// consumerInfo says what is left in the channel's queue; "" when it is empty.
func (m *model) consumerInfo(ctx context.Context) (string, error) {
	c, err := m.conn.JS.Consumer(ctx, bus.StreamBulletins, channel)
	if err != nil {
		return "", err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return "", err
	}
	if info.NumPending > 0 || info.NumAckPending > 0 {
		return fmt.Sprintf("queue not drained: %d pending, %d in flight", info.NumPending, info.NumAckPending), nil
	}
	return "", nil
}
