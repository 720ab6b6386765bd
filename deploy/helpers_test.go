package deploy_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/deploy/natscluster"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// clusterTopology is what the services run with on the cluster. AckWait is short so a
// delivery whose acknowledgement was lost with a node comes back within the test.
var clusterTopology = bus.Topology{Replicas: 3, AckWait: 3 * time.Second}

var allChannels = []string{bulletin.Telegram, bulletin.YouTube, bulletin.Web}

// startCluster runs the deploy/nats cluster and sets the bus up on it as the admin user,
// as the deployment's setup step does.
func startCluster(t *testing.T) (*natscluster.Cluster, *bus.Conn) {
	t.Helper()
	return startClusterWith(t, natscluster.Start)
}

// startClusterWith is startCluster with nodes started by start (in-process or processes).
func startClusterWith(t *testing.T, start func(testing.TB) *natscluster.Cluster) (*natscluster.Cluster, *bus.Conn) {
	t.Helper()
	c := start(t)
	admin := c.Connect(creds.Admin)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bus.Setup(ctx, admin.JS, clusterTopology); err != nil {
		t.Fatalf("setup as admin: %v", err)
	}
	return c, admin
}

// runWorker runs channel's delivery worker as that channel's user, the way the channel's
// own process does (delivery.Serve), under a supervisor that starts it again when it
// fails, as systemd's Restart=on-failure and Kubernetes do: a worker whose consumer
// could not be created while the cluster was busy exits, and is restarted. stop ends it
// gracefully; it is also called when the test ends.
func runWorker(t *testing.T, c *natscluster.Cluster, channel string, ch delivery.Channel, replicas int, observe func(delivery.Outcome)) (stop func()) {
	t.Helper()
	conn := c.Connect(channel)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := delivery.Config{Channel: channel, Poll: 200 * time.Millisecond, MinBackoff: 50 * time.Millisecond,
		MaxBackoff: time.Second, Heartbeat: time.Second, MaxAttempts: 50, Observe: observe}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			err := delivery.Serve(ctx, conn.JS, clusterTopology, cfg, ch, replicas)
			if ctx.Err() != nil {
				return
			}
			t.Logf("worker %s exited (%v); restarting it", channel, err)
			time.Sleep(time.Second)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func sampleBulletin(id string, channels ...string) *bulletin.Bulletin {
	if len(channels) == 0 {
		channels = allChannels
	}
	return &bulletin.Bulletin{ID: id, Title: "Avís " + id, Lang: "ca", Group: id, Channels: channels,
		Body: "El **paer en cap** informa que cal quedar-se a casa."}
}

// waitRecord waits until the record of id on channel is in state, reading as admin.
func waitRecord(t *testing.T, store *delivery.Store, id, channel string, state delivery.State) *delivery.Record {
	t.Helper()
	var rec *delivery.Record
	natstest.WaitFor(t, 60*time.Second, fmt.Sprintf("%s on %s %s", id, channel, state), func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r, _, err := store.Get(ctx, id, channel)
		rec = r
		return err == nil && r != nil && r.State == state
	})
	return rec
}

// publishUntilAcked publishes b as the editor does, trying again while the cluster
// elects a leader; a re-sent publish is a no-op (same content, same Nats-Msg-Id).
func publishUntilAcked(ctx context.Context, pub *bus.Bulletins, b *bulletin.Bulletin) (bus.Published, int, error) {
	tries := 0
	for {
		tries++
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		p, err := pub.Publish(pctx, b, "burst")
		cancel()
		if err == nil {
			return p, tries, nil
		}
		if ctx.Err() != nil {
			return p, tries, errors.Join(err, ctx.Err())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }
