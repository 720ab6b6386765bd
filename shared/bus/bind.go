package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// SetupCommand is what an operator runs, with the admin key, to create the layout on a
// cluster; the hub runs the same set-up at start. Binding errors name it.
const SetupCommand = "go run ./deploy/cmd/setup (NATS_NKEY_SEED=<admin.nk> NATS_REPLICAS=3), or start the hub"

// ErrNotSetUp is wrapped by Bind's errors when a stream or bucket of the layout is missing.
var ErrNotSetUp = errors.New("the bus is not set up")

// BindKeyValue binds to bucket of the layout, which the set-up must have created: a
// missing bucket is an error wrapping ErrNotSetUp that names the command to run.
func BindKeyValue(ctx context.Context, js jetstream.JetStream, bucket string) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, notSetUp("bucket", bucket)
	}
	if err != nil {
		return nil, fmt.Errorf("bus: bucket %s: %w", bucket, err)
	}
	return kv, nil
}

// BindStream binds to stream name of the layout, as BindKeyValue to a bucket.
func BindStream(ctx context.Context, js jetstream.JetStream, name string) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, notSetUp("stream", name)
	}
	if err != nil {
		return nil, fmt.Errorf("bus: stream %s: %w", name, err)
	}
	return s, nil
}

func notSetUp(kind, name string) error {
	return fmt.Errorf("bus: %s %s does not exist: %w; the set-up is the admin's: run %s", kind, name, ErrNotSetUp, SetupCommand)
}

// CheckLayout checks, at a service's start, that every stream and bucket user works with
// exists: the shared ones and those it owns (Part.Owner). It creates nothing; a missing
// one is an error wrapping ErrNotSetUp that names the command to run.
func CheckLayout(ctx context.Context, js jetstream.JetStream, user string) error {
	for _, p := range Layout(Topology{}) {
		if p.Owner != "" && p.Owner != user {
			continue
		}
		var err error
		if p.Bucket != nil {
			_, err = BindKeyValue(ctx, js, p.Name())
		} else {
			_, err = BindStream(ctx, js, p.Name())
		}
		if err != nil {
			return err
		}
	}
	return nil
}
