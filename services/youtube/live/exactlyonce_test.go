package live_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/services/youtube/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// TestAmbiguousInsertIsLookedUpNotRepeated: an insert YouTube carried out but whose
// answer never came — time-out, reset, EOF, a 5xx after the write — is found by its
// permalink on the next attempt and updated, never made again.
func TestAmbiguousInsertIsLookedUpNotRepeated(t *testing.T) {
	e := newEnv(t)
	const timeout = 500 * time.Millisecond
	var slow atomic.Bool
	e.sb.AfterWrite(func(op, _ string) {
		if op == "insert" && slow.CompareAndSwap(true, false) {
			time.Sleep(timeout + 300*time.Millisecond) // the client gives up first
		}
	})
	e.worker(e.config(map[string]string{"YOUTUBE_TIMEOUT": timeout.String()}))
	tests := []struct {
		name  string
		fault sandbox.Fault
	}{
		{"eof", sandbox.Fault{Kind: sandbox.LoseAnswer, Op: "insert"}},
		{"connection_reset", sandbox.Fault{Kind: sandbox.ResetAfterWrite, Op: "insert"}},
		{"500_after_write", sandbox.Fault{Kind: sandbox.StatusAfterWrite, Code: 500, Op: "insert"}},
		{"503_after_write", sandbox.Fault{Kind: sandbox.StatusAfterWrite, Code: 503, Op: "insert"}},
		{"time_out", sandbox.Fault{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.sb.Stats()
			if tc.fault.Kind == 0 {
				slow.Store(true)
			} else {
				e.sb.Fail(tc.fault)
			}
			id := "ambigu-" + strings.ReplaceAll(tc.name, "_", "-")
			e.publish(e.announcement(id, "Avís "+tc.name, "Un sol directe."))
			rec := e.waitState(id, 1, delivery.Delivered)
			bc := e.only(id)
			after := e.sb.Stats()
			if rec.Attempts < 2 || !slices.Equal(rec.Ref.IDs, []string{bc.ID}) {
				t.Errorf("record after %d attempts names %v; want a retry that names %s", rec.Attempts, rec.Ref.IDs, bc.ID)
			}
			if after.Inserts-before.Inserts != 1 || after.Lists == before.Lists {
				t.Errorf("%d inserts, %d list pages; want 1 insert and a look-up before any other",
					after.Inserts-before.Inserts, after.Lists-before.Lists)
			}
		})
	}
}

// TestLostInsertRepliesAtASeededRateMakeOneBroadcastEach: with the answers of a few
// inserts lost at random (seeded: the same ones every run), every announcement ends up
// with exactly one broadcast, across more broadcasts than one list page holds.
func TestLostInsertRepliesAtASeededRateMakeOneBroadcastEach(t *testing.T) {
	e := newEnv(t)
	const n = 60 // more than one page of 50, so the look-up turns pages
	e.sb.LoseAnswers(0.04, 2020, "insert")
	e.worker(e.config(nil))
	for i := range n {
		e.publish(e.announcement(fmt.Sprintf("avis-%02d", i), fmt.Sprintf("Avís %d", i), "Directe."))
	}
	for i := range n {
		id := fmt.Sprintf("avis-%02d", i)
		rec := e.waitState(id, 1, delivery.Delivered)
		if bc := e.only(id); !slices.Equal(rec.Ref.IDs, []string{bc.ID}) {
			t.Errorf("%s: record names %v, broadcast %s", id, rec.Ref.IDs, bc.ID)
		}
	}
	st := e.sb.Stats()
	if st.LostAnswers == 0 || st.Inserts != n || st.Updates != st.LostAnswers || len(e.sb.Broadcasts()) != n {
		t.Errorf("sandbox: %+v, %d broadcasts; want some answers lost, %d inserts, and each lost one found and updated",
			st, len(e.sb.Broadcasts()), n)
	}
	t.Logf("%d of %d insert answers lost; %d list pages", st.LostAnswers, n, st.Lists)
}

// TestRetractLooksUpWhatAnEarlierAttemptMayHaveMade: a retraction deletes the broadcast
// of an insert whose answer was lost, though the record names no broadcast, and makes
// no call when no attempt was ever recorded.
func TestRetractLooksUpWhatAnEarlierAttemptMayHaveMade(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(e.config(nil))
	tests := []struct {
		name   string
		insert *sandbox.Fault // the first attempt; nil: none was made
		prev   func(id string) delivery.Record
		retry  bool
		calls  int // API requests the retraction makes
	}{
		{"lost_reply_then_dead", &sandbox.Fault{Kind: sandbox.LoseAnswer},
			func(string) delivery.Record { return delivery.Record{Rev: 1, State: delivery.Dead, Attempts: 10} }, false, 2},
		{"lost_reply_then_failed", &sandbox.Fault{Kind: sandbox.ResetAfterWrite},
			func(string) delivery.Record { return delivery.Record{Rev: 1, State: delivery.Failed, Attempts: 1} }, false, 2},
		{"killed_before_any_record", &sandbox.Fault{Kind: sandbox.LoseAnswer},
			func(string) delivery.Record { return delivery.Record{} }, true, 2},
		{"refused_insert_made_nothing", &sandbox.Fault{Kind: sandbox.Status, Code: 503},
			func(string) delivery.Record { return delivery.Record{Rev: 1, State: delivery.Dead, Attempts: 1} }, false, 1},
		{"delivered_with_its_id", &sandbox.Fault{},
			func(id string) delivery.Record {
				return delivery.Record{Rev: 1, State: delivery.Delivered, Attempts: 1, Carried: 1, Ref: delivery.Ref{IDs: []string{id}}}
			}, false, 1},
		{"no_attempt_recorded", nil, func(string) delivery.Record { return delivery.Record{} }, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := e.announcement("retirat-"+strings.ReplaceAll(tc.name, "_", "-"), "Avís retirat", "Es retira.")
			made := ""
			if tc.insert != nil {
				if tc.insert.Kind != 0 {
					tc.insert.Op = "insert"
					e.sb.Fail(*tc.insert)
				}
				ref, err := ch.Deliver(t.Context(), job(b, 1, delivery.Record{}, false))
				if (err == nil) != (tc.insert.Kind == 0) {
					t.Fatalf("first attempt: %v", err)
				}
				if bs := e.broadcasts(b.ID); len(bs) == 1 {
					made = bs[0].ID
				}
				if err == nil && ref.IDs[0] != made {
					t.Fatalf("delivered %v, sandbox has %s", ref.IDs, made)
				}
			}
			before := e.sb.Stats().Requests
			j := job(b, 2, tc.prev(made), tc.retry)
			j.Revision.Action = bulletin.Retract
			if err := ch.Retract(t.Context(), j); err != nil {
				t.Fatalf("retract: %v", err)
			}
			if bs := e.broadcasts(b.ID); len(bs) != 0 {
				t.Errorf("still scheduled after the retraction: %+v", bs)
			}
			if n := e.sb.Stats().Requests - before; n != tc.calls {
				t.Errorf("retraction made %d API requests, want %d", n, tc.calls)
			}
		})
	}
}

// TestFailureAfterFindingTheBroadcastSaysItIsShowing: when the broadcast an earlier
// attempt made is found but cannot be updated or deleted, the error carries it
// (delivery.Showing), so the record says what citizens still see.
func TestFailureAfterFindingTheBroadcastSaysItIsShowing(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(e.config(nil))
	tests := []struct {
		name string
		op   string
		call func(b *bulletin.Bulletin) error
	}{
		{"update_of_the_found_broadcast", "update", func(b *bulletin.Bulletin) error {
			_, err := ch.Deliver(t.Context(), job(b, 1, delivery.Record{Rev: 1, State: delivery.Failed, Attempts: 1}, true))
			return err
		}},
		{"delete_of_the_found_broadcast", "delete", func(b *bulletin.Bulletin) error {
			j := job(b, 2, delivery.Record{Rev: 1, State: delivery.Dead, Attempts: 3}, false)
			j.Revision.Action = bulletin.Retract
			return ch.Retract(t.Context(), j)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := e.announcement("visible-"+strings.ReplaceAll(tc.name, "_", "-"), "Encara visible", "Text.")
			e.sb.Fail(sandbox.Fault{Kind: sandbox.LoseAnswer, Op: "insert"})
			if _, err := ch.Deliver(t.Context(), job(b, 1, delivery.Record{}, false)); err == nil {
				t.Fatal("lost answer not reported")
			}
			made := e.only(b.ID).ID
			e.sb.Fail(sandbox.Fault{Kind: sandbox.Status, Code: 503, Op: tc.op})
			err := tc.call(b)
			var s *delivery.ShowingError
			var te *delivery.TemporaryError
			if !errors.As(err, &s) || !slices.Equal(s.Ref.IDs, []string{made}) || s.Ref.URL != live.DefaultWatchURL+made ||
				!errors.As(err, &te) {
				t.Fatalf("err = %v; want a temporary failure showing broadcast %s", err, made)
			}
			e.only(b.ID)
		})
	}
}

// TestRetractAfterALostReplyDeadDeliveryRemovesTheBroadcast runs the worker: the
// insert's answer is lost, the delivery gives up (dead, no broadcast id recorded), and
// the retraction still removes the broadcast YouTube made.
func TestRetractAfterALostReplyDeadDeliveryRemovesTheBroadcast(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(map[string]string{"YOUTUBE_MAX_ATTEMPTS": "1"})
	var mu sync.Mutex
	var retractOp *string
	cfg.Observe = func(o delivery.Outcome) {
		mu.Lock()
		defer mu.Unlock()
		if o.Rev == 2 && o.State != "" {
			retractOp = &o.Op
		}
	}
	e.worker(cfg)
	e.sb.Fail(sandbox.Fault{Kind: sandbox.LoseAnswer, Op: "insert"})
	e.publish(e.announcement("perdut", "Resposta perduda", "Directe."))
	rec := e.waitState("perdut", 1, delivery.Dead)
	if len(rec.Ref.IDs) != 0 || len(e.broadcasts("perdut")) != 1 {
		t.Fatalf("dead record %+v; want no id recorded while YouTube has the broadcast", rec)
	}
	if _, err := e.pub.Retract(context.Background(), "perdut", "test"); err != nil {
		t.Fatal(err)
	}
	e.waitState("perdut", 2, delivery.Retracted)
	mu.Lock()
	op := retractOp
	mu.Unlock()
	if op != nil && *op == "" {
		t.Error("the worker recorded the retraction without asking the channel, though a lost reply may have left a broadcast")
	}
	if bs := e.broadcasts("perdut"); len(bs) != 0 {
		t.Errorf("retracted, yet still scheduled: %+v", bs)
	}
}
