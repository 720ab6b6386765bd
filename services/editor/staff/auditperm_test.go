package staff_test

import (
	"context"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/audit"
)

// The audit page reads the trail with the editor's own key under the real permissions
// (as in the hub and on the cluster), not only on a server that allows everything.
func TestTheEditorReadsItsAuditTrailWithItsOwnKey(t *testing.T) {
	_, svc := cliBus(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Audit.Record(ctx, audit.Event{Actor: "anna", Via: "ui", Action: audit.Publish, Target: "avis@1", OK: true}); err != nil {
		t.Fatalf("record: %v", err)
	}
	events, err := svc.Audit.Recent(ctx, 10)
	if err != nil {
		t.Fatalf("the editor cannot read its own audit trail: %v", err)
	}
	if len(events) == 0 || events[len(events)-1].Actor != "anna" && events[0].Actor != "anna" {
		t.Errorf("recent events = %+v, want anna's publish", events)
	}
}
