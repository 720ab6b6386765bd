package natscluster_test

import (
	"context"
	"testing"
	"time"

	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/deploy/natscluster"
	"github.com/paeria/pregoner/shared/bus"
)

func TestClusterFromDeployConfigReplicatesTheStream(t *testing.T) {
	c := natscluster.Start(t)
	admin := c.Connect(creds.Admin)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bus.Setup(ctx, admin.JS, bus.Topology{Replicas: 3}); err != nil {
		t.Fatal(err)
	}
	s, err := admin.JS.Stream(ctx, bus.StreamBulletins)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Replicas != 3 || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
		t.Fatalf("stream not replicated on three nodes: %+v", info.Cluster)
	}
}
