package delivery_test

import (
	"flag"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery/deliverytest"
	"github.com/paeria/pregoner/shared/natstest"
)

var (
	modelRuns = flag.Int("model.runs", 6, "random sequences the delivery model test plays (go test -model.runs 200 for a long run)")
	modelSeed = flag.Uint64("model.seed", 0, "first seed of the delivery model test; 0 derives it from the clock (the seed is printed)")
)

// embedded is a model bus on one real embedded server.
type embedded struct{ srv *natstest.Server }

func (e embedded) Connect(t testing.TB, name string) *bus.Conn { return e.srv.Connect(name) }
func (e embedded) Restart(testing.TB)                          { e.srv.Restart() }
func (e embedded) Topology() bus.Topology                      { return bus.Topology{AckWait: 2 * time.Second} }

// TestDeliveryModel plays random sequences of publish, correct, retract, re-drive,
// channel faults (temporary, permanent, lost reply, stall), worker kill -9, server
// restart and poison messages, and checks after each that the channel shows exactly
// the latest decisions and the records say so. Re-run one with -model.seed N -model.runs 1.
func TestDeliveryModel(t *testing.T) {
	seed := *modelSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	for i := range *modelRuns {
		s := seed + uint64(i)
		t.Run("", func(t *testing.T) {
			srv := natstest.Start(t)
			t.Logf("seed %d (re-run: go test ./shared/delivery -run TestDeliveryModel -model.seed %d -model.runs 1)", s, s)
			got := deliverytest.Run(t, embedded{srv}, deliverytest.Config{Seed: s, Steps: 40, Replicas: 2, Settle: 30 * time.Second})
			t.Log(got)
		})
	}
}
