package deploy_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/deploy/natscluster"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery/deliverytest"
)

// clusterModel is the delivery model's bus on the 3-node cluster: the worker signs in
// as the Telegram user with exactly its permissions, staff as the admin (the editor's
// rights plus reading the channel's queue, which the model checks is drained), and a
// restart stops and starts one node at random.
type clusterModel struct {
	c   *natscluster.Cluster
	rng *rand.Rand
}

func (m clusterModel) Connect(t testing.TB, name string) *bus.Conn {
	if name == "model-worker" {
		return m.c.Connect(bulletin.Telegram)
	}
	return m.c.Connect(creds.Admin)
}

func (m clusterModel) Restart(testing.TB) {
	i := m.rng.IntN(3)
	m.c.StopNode(i)
	m.c.StartNode(i)
}

func (m clusterModel) Topology() bus.Topology { return clusterTopology }

// TestDeliveryModelOnTheCluster plays the delivery model (see shared/delivery's
// TestDeliveryModel) on the deploy/nats cluster, with node restarts for server restarts.
func TestDeliveryModelOnTheCluster(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	for i := range 2 {
		s := seed + uint64(i)
		t.Run("", func(t *testing.T) {
			c, _ := startCluster(t)
			t.Logf("seed %d", s)
			got := deliverytest.Run(t, clusterModel{c: c, rng: rand.New(rand.NewPCG(s, 2))},
				deliverytest.Config{Seed: s, Steps: 30, Replicas: 2, Settle: 60 * time.Second})
			t.Log(got)
		})
	}
}
