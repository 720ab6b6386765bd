package delivery

import (
	"errors"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

func rev(n int, action bulletin.Action, channels ...string) *bulletin.Revision {
	return &bulletin.Revision{ID: "avis", Rev: n, Action: action,
		Bulletin: &bulletin.Bulletin{ID: "avis", Channels: channels}}
}

func TestDecide(t *testing.T) {
	tg := bulletin.Telegram
	shown := &Record{Rev: 1, State: Delivered, Carried: 1, Ref: Ref{IDs: []string{"41"}}, Attempts: 1}
	deadPartial := &Record{Rev: 1, State: Dead, Ref: Ref{IDs: []string{"41"}}, Visible: "part 1 of 3", Uncertain: true, Attempts: 1}
	lostReply := &Record{Rev: 1, State: Superseded, SupersededBy: 2, Uncertain: true}
	tests := []struct {
		name   string
		in     input
		ack    bool
		need   bool
		op     op
		state  State // of the record written without a call
		retry  bool
		giveUp bool
	}{
		{name: "duplicate of a final record", in: input{prev: shown, rev: rev(1, bulletin.Publish, tg), latest: 1}, ack: true},
		{name: "older than the record", in: input{prev: &Record{Rev: 2, State: Failed}, rev: rev(1, bulletin.Publish, tg), latest: 2}, ack: true},
		{name: "never meant for the channel", in: input{rev: rev(1, bulletin.Publish, bulletin.Web), latest: 1}, ack: true},
		{name: "a call needs the latest first", in: input{rev: rev(1, bulletin.Publish, tg)}, need: true},
		{name: "first delivery", in: input{rev: rev(1, bulletin.Publish, tg), latest: 1}, op: opDeliver},
		{name: "superseded makes no call", in: input{rev: rev(1, bulletin.Publish, tg), latest: 3}, state: Superseded},
		{name: "superseded retraction too", in: input{prev: shown, rev: rev(2, bulletin.Retract, tg), latest: 3}, state: Superseded},
		{name: "correction of a shown bulletin", in: input{prev: shown, rev: rev(2, bulletin.Edit, tg), latest: 2}, op: opUpdate},
		{name: "retraction of a shown bulletin", in: input{prev: shown, rev: rev(2, bulletin.Retract, tg), latest: 2}, op: opRetract},
		{name: "retraction before anything was shown", in: input{rev: rev(2, bulletin.Retract, tg), latest: 2}, state: Retracted},
		{name: "retraction of a dead partial post asks the channel", in: input{prev: deadPartial, rev: rev(2, bulletin.Retract, tg), latest: 2}, op: opRetract, retry: true},
		{name: "retraction after a lost reply asks the channel", in: input{prev: lostReply, rev: rev(2, bulletin.Retract, tg), latest: 2}, op: opRetract, retry: true},
		{name: "dropped from the channels", in: input{prev: shown, rev: rev(2, bulletin.Edit, bulletin.Web), latest: 2}, op: opRetract},
		{name: "dropped before anything was shown", in: input{prev: &Record{Rev: 1, State: Skipped}, rev: rev(2, bulletin.Edit, bulletin.Web), latest: 2}, state: Skipped},
		{name: "redelivered message is a retry", in: input{rev: rev(1, bulletin.Publish, tg), latest: 1, redelivered: true}, op: opDeliver, retry: true},
		{name: "failed attempt is a retry", in: input{prev: &Record{Rev: 1, State: Failed, Attempts: 2, Uncertain: true}, rev: rev(1, bulletin.Publish, tg), latest: 1, maxAttempts: 5}, op: opDeliver, retry: true},
		{name: "attempts spent", in: input{prev: &Record{Rev: 1, State: Failed, Attempts: 3}, rev: rev(1, bulletin.Publish, tg), latest: 1, maxAttempts: 3}, op: opDeliver, giveUp: true},
		{name: "refresh of a delivered revision updates it, not as a retry", in: input{prev: shown, rev: rev(1, bulletin.Publish, tg), latest: 1, refresh: true}, op: opUpdate},
		{name: "redelivered refresh is a retry", in: input{prev: shown, rev: rev(1, bulletin.Publish, tg), latest: 1, refresh: true, redelivered: true}, op: opUpdate, retry: true},
		{name: "refresh whose first try failed is a retry", in: input{prev: &Record{Rev: 1, State: Failed, Carried: 1, Attempts: 5, RedriveFrom: 4, Uncertain: true}, rev: rev(1, bulletin.Publish, tg), latest: 1, refresh: true}, op: opUpdate, retry: true},
		{name: "second try of a refresh after a lost claim is a retry", in: input{prev: &Record{Rev: 1, State: Sending, Carried: 1, Attempts: 5, RedriveFrom: 4, Uncertain: true}, rev: rev(1, bulletin.Publish, tg), latest: 1}, op: opUpdate, retry: true},
		{name: "refresh reads the latest first", in: input{prev: shown, rev: rev(1, bulletin.Publish, tg), refresh: true}, need: true},
		{name: "refresh after many refreshes still has its budget", in: input{prev: &Record{Rev: 1, State: Delivered, Carried: 1, Attempts: 40, RedriveFrom: 39}, rev: rev(1, bulletin.Publish, tg), latest: 1, maxAttempts: 3, refresh: true}, op: opUpdate},
		{name: "refresh of a superseded revision makes no call", in: input{prev: shown, rev: rev(1, bulletin.Publish, tg), latest: 2, refresh: true}, state: Superseded},
		{name: "refresh of a retracted bulletin is a no-op", in: input{prev: &Record{Rev: 2, State: Retracted, Attempts: 1}, rev: rev(2, bulletin.Retract, tg), latest: 2, refresh: true}, ack: true},
		{name: "refresh of a skipped bulletin is a no-op", in: input{prev: &Record{Rev: 1, State: Skipped, Attempts: 1}, rev: rev(1, bulletin.Publish, tg), latest: 1, refresh: true}, ack: true},
		{name: "refresh of a dead delivery is a no-op (staff re-drive it)", in: input{prev: &Record{Rev: 1, State: Dead, Attempts: 10}, rev: rev(1, bulletin.Publish, tg), latest: 1, refresh: true}, ack: true},
		{name: "re-drive gives a fresh budget", in: input{prev: &Record{Rev: 1, State: Pending, Attempts: 3, RedriveFrom: 3, Uncertain: true}, rev: rev(1, bulletin.Publish, tg), latest: 1, maxAttempts: 3}, op: opDeliver, retry: true},
		{name: "re-drive of attempts known to have done nothing is not a retry", in: input{prev: &Record{Rev: 1, State: Pending, Attempts: 3, RedriveFrom: 3}, rev: rev(1, bulletin.Publish, tg), latest: 1, maxAttempts: 3}, op: opDeliver},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.channel = tg
			if tt.in.maxAttempts == 0 {
				tt.in.maxAttempts = 10
			}
			d := decide(tt.in)
			if d.ack != tt.ack || d.needLatest != tt.need || d.op != tt.op || d.giveUp != tt.giveUp {
				t.Fatalf("decide = ack %v need %v op %q giveUp %v; want %v %v %q %v", d.ack, d.needLatest, d.op, d.giveUp, tt.ack, tt.need, tt.op, tt.giveUp)
			}
			if tt.op == opNone && !tt.ack && !tt.need && d.next.State != tt.state {
				t.Errorf("record without a call: state %q, want %q", d.next.State, tt.state)
			}
			if tt.op != opNone && !tt.giveUp && d.job.Retry != tt.retry {
				t.Errorf("Job.Retry = %v, want %v", d.job.Retry, tt.retry)
			}
			if d.next.State == Superseded && d.next.SupersededBy != tt.in.latest {
				t.Errorf("superseded by %d, want %d", d.next.SupersededBy, tt.in.latest)
			}
			if tt.in.prev != nil && d.next.State == Superseded && (d.next.Carried != tt.in.prev.Carried || d.next.Uncertain != tt.in.prev.Uncertain) {
				t.Errorf("a superseded record must keep what is shown: %+v from %+v", d.next, tt.in.prev)
			}
		})
	}
}

func TestSettle(t *testing.T) {
	now := time.Date(2020, 3, 14, 21, 0, 0, 0, time.UTC)
	shown := Record{Rev: 1, State: Delivered, Carried: 1, Ref: Ref{IDs: []string{"41"}, SentAt: now.Add(-time.Hour)}}
	partial := Ref{IDs: []string{"41"}}
	tests := []struct {
		name      string
		op        op
		action    bulletin.Action
		prev      Record
		ref       Ref
		err       error
		state     State
		carried   int
		visible   string
		uncertain bool
		ids       int
	}{
		{name: "delivered", op: opDeliver, action: bulletin.Publish, ref: Ref{IDs: []string{"41"}}, state: Delivered, carried: 2, ids: 1},
		{name: "updated", op: opUpdate, action: bulletin.Edit, prev: shown, ref: Ref{IDs: []string{"41"}}, state: Delivered, carried: 2, ids: 1},
		{name: "retracted leaves nothing", op: opRetract, action: bulletin.Retract, prev: shown, state: Retracted},
		{name: "skipped leaves nothing", op: opUpdate, action: bulletin.Edit, prev: shown, err: Skip("live block removed"), state: Skipped},
		{name: "dead with a part still visible", op: opDeliver, action: bulletin.Publish,
			err:   Permanent(Showing(errors.New("Bad Request: can't parse entities"), partial, "part 1 of 3 (message 41)")),
			state: Dead, visible: "part 1 of 3 (message 41)", uncertain: true, ids: 1},
		{name: "failed update: the old revision is still visible", op: opUpdate, action: bulletin.Edit, prev: shown,
			err: Temporary(errors.New("502 Bad Gateway"), 0), state: Failed, carried: 1, visible: "revision 1", uncertain: true, ids: 1},
		{name: "failed retraction: still visible", op: opRetract, action: bulletin.Retract, prev: shown,
			err: errors.New("connection reset"), state: Failed, carried: 1, visible: "revision 1", uncertain: true, ids: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rev(2, tt.action, bulletin.Telegram)
			next := carry(&tt.prev, bulletin.Telegram, r)
			if tt.prev.Rev == 0 {
				next = carry(nil, bulletin.Telegram, r)
			}
			d := decision{op: tt.op, next: next, job: Job{Revision: r, Prev: tt.prev}}
			got, _ := settle(d, tt.ref, tt.err, now, func(s string) string { return s })
			if got.State != tt.state || got.Carried != tt.carried || got.Visible != tt.visible ||
				got.Uncertain != tt.uncertain || len(got.Ref.IDs) != tt.ids {
				t.Errorf("settle = state %q carried %d visible %q uncertain %v ids %v; want %q %d %q %v %d",
					got.State, got.Carried, got.Visible, got.Uncertain, got.Ref.IDs, tt.state, tt.carried, tt.visible, tt.uncertain, tt.ids)
			}
			if tt.op == opUpdate && got.State == Delivered && !got.Ref.SentAt.Equal(shown.Ref.SentAt) {
				t.Errorf("an edit must keep when the bulletin first appeared: %v", got.Ref.SentAt)
			}
		})
	}
}
