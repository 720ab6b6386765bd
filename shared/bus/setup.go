package bus

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Topology is what Setup creates. The zero value is a single server; a cluster sets
// Replicas to 3.
type Topology struct {
	// Replicas of the stream, the bucket and the consumers (1 on one server, 3 on a
	// cluster). 0 means 1.
	Replicas int
	// AckWait: see DefaultAckWait. 0 means the default.
	AckWait time.Duration
	// DuplicateWindow: see DefaultDuplicateWindow. 0 means the default.
	DuplicateWindow time.Duration
}

func (t Topology) replicas() int {
	return max(t.Replicas, 1)
}

// Setup creates or updates the bulletins stream and the deliveries and schedules buckets. It is
// idempotent and safe for every service to call at start, concurrently too.
func Setup(ctx context.Context, js jetstream.JetStream, t Topology) error {
	dup := t.DuplicateWindow
	if dup == 0 {
		dup = DefaultDuplicateWindow
	}
	_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        StreamBulletins,
		Description: "pregoner: every revision of every bulletin, and re-drive requests",
		Subjects:    []string{subjectBulletins + ".*", subjectRedrive + ".*.*"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Replicas:    t.replicas(),
		Duplicates:  dup,
		// Revisions are kept forever: they are the bulletins' history.
		MaxMsgsPerSubject: -1,
	})
	if err != nil {
		return fmt.Errorf("bus setup: stream %s: %w", StreamBulletins, err)
	}
	_, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      BucketDeliveries,
		Description: "pregoner: delivery record per bulletin and channel; its history is the audit trail",
		History:     DefaultHistory,
		Storage:     jetstream.FileStorage,
		Replicas:    t.replicas(),
	})
	if err != nil {
		return fmt.Errorf("bus setup: bucket %s: %w", BucketDeliveries, err)
	}
	_, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      BucketSchedules,
		Description: "pregoner: bulletins waiting for their publish_at",
		History:     DefaultHistory,
		Storage:     jetstream.FileStorage,
		Replicas:    t.replicas(),
	})
	if err != nil {
		return fmt.Errorf("bus setup: bucket %s: %w", BucketSchedules, err)
	}
	return nil
}

// Consumer creates or updates the durable consumer of one channel and returns it.
//
// Every replica of a channel's worker shares it. MaxAckPending is 1: the channel takes
// revisions strictly in the order they were published, across bulletins, so citizens
// read posts in the order staff sent them and an edit never overtakes its publish.
// Channels are paced by their APIs (Telegram: 20 posts a minute per chat) far below
// what one delivery at a time allows; see docs/architecture.md.
func Consumer(ctx context.Context, js jetstream.JetStream, channel string, t Topology) (jetstream.Consumer, error) {
	ackWait := t.AckWait
	if ackWait == 0 {
		ackWait = DefaultAckWait
	}
	c, err := js.CreateOrUpdateConsumer(ctx, StreamBulletins, jetstream.ConsumerConfig{
		Durable:        channel,
		Description:    "pregoner: deliveries to " + channel,
		FilterSubjects: []string{subjectBulletins + ".*", subjectRedrive + "." + channel + ".*"},
		AckPolicy:      jetstream.AckExplicitPolicy,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		AckWait:        ackWait,
		MaxDeliver:     -1, // the worker decides when to give up, and records why
		MaxAckPending:  1,
		Replicas:       t.replicas(),
	})
	if err != nil {
		return nil, fmt.Errorf("bus setup: consumer %s: %w", channel, err)
	}
	return c, nil
}

// LoadTopology reads NATS_REPLICAS (1 on one server, 3 on a cluster; default 1) through
// getenv (os.Getenv in main).
func LoadTopology(getenv func(string) string) (Topology, error) {
	v := strings.TrimSpace(getenv("NATS_REPLICAS"))
	if v == "" {
		return Topology{}, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 5 {
		return Topology{}, fmt.Errorf("NATS_REPLICAS %q: want a number from 1 to 5", v)
	}
	return Topology{Replicas: n}, nil
}
