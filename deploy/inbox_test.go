package deploy_test

import (
	"testing"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/bus/bustest"
)

// TestEveryKeyIsRefusedWhatIsNotItsOwn tries every service's key, on the 3-node cluster,
// against every bucket and subject it must not touch — the staff buckets, the other
// channels' records, consumers and buckets, bulletins, re-drives, the audit trail, the
// stream, and every inbox but its own — and expects a permissions violation for each.
// The hub runs the same table against its embedded server.
func TestEveryKeyIsRefusedWhatIsNotItsOwn(t *testing.T) {
	c, _ := startCluster(t)
	bustest.CheckRefusals(t, func(_ *testing.T, user string) *bus.Conn { return c.Connect(user) }, bustest.Refusals())
}
