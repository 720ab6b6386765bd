package live

import (
	"errors"
	"testing"

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
