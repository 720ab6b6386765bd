package delivery

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

// A failure's reason code reaches the record the worker writes, wrapped or not; a
// success or an unclassified error leaves none, and giving up says so.
func TestSettleRecordsReason(t *testing.T) {
	now := time.Date(2026, 11, 29, 16, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		err    error
		state  State
		reason string
	}{
		{"start in the past", PermanentBecause(ReasonStartPassed, errors.New("live: start: 29/11/2026 16:19 is not in the future")), Dead, ReasonStartPassed},
		{"wrapped by the channel", fmt.Errorf("youtube: %w", PermanentBecause(ReasonCredentials, errors.New("invalid_grant"))), Dead, ReasonCredentials},
		{"quota, temporary", TemporaryBecause(ReasonQuota, errors.New("quota spent"), time.Hour), Failed, ReasonQuota},
		{"permanent without a reason", Permanent(errors.New("Bad Request: chat not found")), Dead, ""},
		{"unclassified", errors.New("connection reset"), Failed, ""},
		{"showing keeps the reason", PermanentBecause(ReasonTooLong, Showing(errors.New("message is too long"), Ref{IDs: []string{"41"}}, "part 1 of 2")), Dead, ReasonTooLong},
		{"success", nil, Delivered, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decision{op: opDeliver, next: Record{ID: "avis", Channel: "youtube", Rev: 1, Attempts: 1, Reason: "stale"},
				job: Job{Revision: rev(1, bulletin.Publish, "youtube")}}
			got, _ := settle(d, Ref{URL: "https://x"}, tt.err, now, func(s string) string { return s })
			if got.State != tt.state || got.Reason != tt.reason {
				t.Errorf("state %s reason %q, want %s %q (error %q)", got.State, got.Reason, tt.state, tt.reason, got.Error)
			}
		})
	}
}

func TestGiveUpSaysTriesExhausted(t *testing.T) {
	prev := &Record{ID: "avis", Channel: "telegram", Rev: 1, State: Failed, Attempts: 3, Error: "502", Reason: ""}
	d := decide(input{channel: "telegram", prev: prev, rev: rev(1, bulletin.Publish, "telegram"), latest: 1, maxAttempts: 3})
	if !d.giveUp || d.next.State != Dead || d.next.Reason != ReasonTriesExhausted {
		t.Fatalf("giveUp %v state %s reason %q, want a dead record with %q", d.giveUp, d.next.State, d.next.Reason, ReasonTriesExhausted)
	}
}
