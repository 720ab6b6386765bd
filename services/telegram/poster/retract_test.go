package poster_test

import (
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"testing"

	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// TestRetractOfADeadDeliveryTakesDownWhatShows calls the channel as the worker does
// for a bulletin whose first delivery died halfway, then is retracted: the record says
// nothing is carried, the journal knows better.
func TestRetractOfADeadDeliveryTakesDownWhatShows(t *testing.T) {
	tests := []struct {
		name    string
		fault   sandbox.Fault // on the second sendMessage (part 2 of 3); zero: no delivery at all
		showing string        // what the failed delivery's error says still shows ("": nothing)
		perm    bool          // the error is permanent
		retract []string      // the retraction's requests: method and message id
	}{
		// A 502 may come after Telegram acted: message 2 is looked for (not found) first.
		{"part_2_failed", sandbox.Fault{Status: 502}, "part 1 of 3 (message 1)", false,
			[]string{"getChatMember 0", "editMessageText 2", "deleteMessage 1"}},
		{"part_2_reply_lost", sandbox.Fault{LoseReply: true}, "part 1 of 3 (message 1)", false,
			[]string{"getChatMember 0", "editMessageText 2", "deleteMessage 2", "deleteMessage 1"}},
		// Refused for good on a first delivery: part 1 was taken down at once.
		{"part_2_refused", sandbox.Fault{Status: 400, Description: "Bad Request: message is too long"}, "", true, nil},
		{"never_delivered", sandbox.Fault{}, "", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Config{})
			sends := 0
			e.sb.InjectFaults(func(method string, n int) sandbox.Fault {
				if method == "sendMessage" {
					if sends++; sends == 2 {
						return tt.fault
					}
				}
				return sandbox.Fault{}
			})
			svc, err := poster.NewService(e.config(), e.srv.Connect("telegram").JS, slog.New(slog.NewTextHandler(e.logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			ch := svc.Channel()
			b := &bulletin.Bulletin{ID: "guia", Title: "Guia", Lang: "ca", Group: "guia", Channels: []string{bulletin.Telegram}, Body: longBody(3)}
			prev := delivery.Record{ID: "guia", Channel: bulletin.Telegram, Rev: 1, Action: bulletin.Publish, State: delivery.Dead, Attempts: 1}
			if tt.fault != (sandbox.Fault{}) {
				_, err := ch.Deliver(t.Context(), delivery.Job{Revision: &bulletin.Revision{ID: "guia", Rev: 1, Action: bulletin.Publish, Bulletin: b}, Attempt: 1})
				var showing *delivery.ShowingError
				var perm *delivery.PermanentError
				switch {
				case err == nil:
					t.Fatal("the delivery succeeded")
				case errors.As(err, &showing) != (tt.showing != ""):
					t.Errorf("error %v: showing %+v, want %q", err, showing, tt.showing)
				case showing != nil && (showing.What != tt.showing || !slices.Equal(showing.Ref.IDs, []string{"1"}) || showing.Ref.Target != chatCA):
					t.Errorf("shows %q, ref %+v; want %q, message 1", showing.What, showing.Ref, tt.showing)
				}
				if _, isPerm := err.(*delivery.PermanentError); isPerm != tt.perm || errors.As(err, &perm) != tt.perm {
					t.Errorf("error %T, permanent %v: want permanent %v outermost", err, isPerm, tt.perm)
				}
				if _, isTemp := err.(*delivery.TemporaryError); !tt.perm && !isTemp {
					t.Errorf("error %T: want temporary outermost", err)
				}
			}
			before := len(e.sb.Requests())
			job := delivery.Job{Revision: &bulletin.Revision{ID: "guia", Rev: 2, Action: bulletin.Retract, Bulletin: b}, Prev: prev, Attempt: 1}
			if err := ch.Retract(t.Context(), job); err != nil {
				t.Fatal(err)
			}
			var calls []string
			for _, r := range e.sb.Requests()[before:] {
				calls = append(calls, r.Method+" "+strconv.Itoa(r.Message))
			}
			if !slices.Equal(calls, tt.retract) {
				t.Errorf("the retraction made %q, want %q", calls, tt.retract)
			}
			if texts := e.texts(chatCA); len(texts) != 0 {
				t.Errorf("%d messages left in the chat", len(texts))
			}
		})
	}
}
