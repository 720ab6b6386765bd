package desk_test

import (
	"context"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/schedule"
)

// now is the desk's clock in these tests: 14 March 2020, 10:00 in Lleida.
var now = time.Date(2020, 3, 14, 10, 0, 0, 0, time.FixedZone("CET", 3600))

var anna = desk.Actor{Name: "anna", Role: accounts.Publisher, Via: "ui"}

// newDesk is a desk on a fresh embedded bus, with its schedules and audit log.
func newDesk(t *testing.T) (*desk.Desk, *audit.Log) {
	t.Helper()
	ctx := context.Background()
	conn := natstest.Start(t).Connect("desk-test")
	sched, err := schedule.NewStore(ctx, conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	log, err := audit.New(ctx, conn.JS, 1, clock)
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(ctx, desk.Deps{JS: conn.JS, Audit: log, Schedule: sched, WebBaseURL: "http://web.test", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return d, log
}
