package live

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/api/googleapi"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// A start in the past is fixed by a new start, any other field refusal by editing it:
// the editor tells staff which from the record's reason.
func TestFieldsReason(t *testing.T) {
	past := &bulletin.FieldError{File: "ple", Field: "live: start", Msg: "29/11/2026 16:19 is not in the future; YouTube only schedules broadcasts that are yet to begin"}
	title := &bulletin.FieldError{File: "ple", Field: "live: title", Msg: "is longer than 100 characters"}
	tests := []struct {
		name string
		errs []error
		want string
	}{
		{"start passed", []error{past}, delivery.ReasonStartPassed},
		{"start passed among others", []error{title, past}, delivery.ReasonStartPassed},
		{"a title too long", []error{title}, delivery.ReasonFieldLimit},
		{"not a field error", []error{errors.New("odd")}, delivery.ReasonFieldLimit},
	}
	for _, tt := range tests {
		if got := fieldsReason(tt.errs); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// A refusal's reason code follows the API's error reason, not its status: only a
// reason that says what to do sends staff to edit the bulletin or to IT; an unknown
// one leaves the code empty, so the editor offers Retry and shows the API's words.
func TestAPIReasonCode(t *testing.T) {
	tests := []struct {
		status int
		reason string
		want   string
	}{
		{400, "invalidTitle", delivery.ReasonFieldLimit},
		{400, "invalidDescription", delivery.ReasonFieldLimit},
		{400, "titleRequired", delivery.ReasonFieldLimit},
		{400, "invalidScheduledEndTime", delivery.ReasonFieldLimit},
		{400, "invalidScheduledStartTime", delivery.ReasonStartPassed},
		{400, "invalidValue", ""},             // a request the channel built wrong: not the bulletin's
		{400, "missingRequiredParameter", ""}, // ditto
		{400, "", ""},
		{401, "authError", delivery.ReasonCredentials},
		{401, "required", delivery.ReasonCredentials},
		{401, "", delivery.ReasonCredentials},
		{403, "insufficientPermissions", delivery.ReasonCredentials},
		{403, "forbidden", delivery.ReasonRights},
		{403, "liveStreamingNotEnabled", delivery.ReasonRights},
		{403, "insufficientLivePermissions", delivery.ReasonRights},
		{403, "quotaExceeded", delivery.ReasonQuota},
		{403, "invalidTransition", ""}, // the broadcast's state: a retry may find it moved on
		{403, "redundantTransition", ""},
		{403, "", ""},
		{409, "", ""},
	}
	for _, tt := range tests {
		if got := reasonCode(tt.status, tt.reason); got != tt.want {
			t.Errorf("%d %q: code %q, want %q", tt.status, tt.reason, got, tt.want)
		}
	}
}

// The worker gets the code with a permanent error: a 400 the channel cannot name is
// final but asks for no edit.
func TestClassifyReason(t *testing.T) {
	for why, want := range map[string]string{"invalidTitle": delivery.ReasonFieldLimit, "invalidValue": ""} {
		err := (&Channel{}).classify(context.Background(), "insert broadcast", &googleapi.Error{Code: 400, Message: "refused",
			Errors: []googleapi.ErrorItem{{Reason: why}}})
		var p *delivery.PermanentError
		if !errors.As(err, &p) || p.Reason != want {
			t.Errorf("%s: %v (%#v), want permanent with reason %q", why, err, p, want)
		}
	}
}
