package deploy_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/bus/bustest"
)

// TestPublishRacesAreHonestOnTheCluster races editors of one id, each on its own
// connection (so on different nodes), with the editor's credentials. A replicated
// stream checks Nats-Msg-Id before the expected sequence, so a loser hears "duplicate"
// or, while the winner's write is being replicated, error 10158 rather than "wrong last
// sequence"; either way every answer must be true of the bus: each publisher's revision
// holds its own text, numbering has no gap, and neither a retraction nor a publish that
// raced it is dropped.
func TestPublishRacesAreHonestOnTheCluster(t *testing.T) {
	c, admin := startCluster(t)
	ctx := context.Background()
	var (
		pubs    []*bus.Bulletins
		answers []*bustest.Answers
	)
	for range 4 {
		a := bustest.Count(c.Connect(creds.Editor).JS)
		pub, err := bus.NewBulletins(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		pubs, answers = append(pubs, pub), append(answers, a)
	}
	reader, err := bus.NewBulletins(ctx, admin.JS)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		bustest.PublishRace(t, pubs, reader, fmt.Sprint("cursa-", round), 8)
	}
	for i := range 6 {
		a, b := pubs[i%len(pubs)], pubs[(i+1)%len(pubs)]
		bustest.RetractRace(t, a, b, reader, fmt.Sprint("retirada-", i))
		bustest.DoubleRetract(t, a, b, reader, fmt.Sprint("doble-", i))
	}
	total := map[string]int{}
	for _, a := range answers {
		for k, v := range a.Counts() {
			total[k] += v
		}
	}
	t.Logf("the cluster's answers to the racing publishes: %v", total)
}
