package delivery

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bus"
)

// Serve runs a channel: it ensures the channel's consumer, then runs replicas workers
// on it until ctx ends (see Worker.Run). Both the hub and a channel's own process use it.
func Serve(ctx context.Context, js jetstream.JetStream, topo bus.Topology, cfg Config, ch Channel, replicas int) error {
	cons, err := bus.Consumer(ctx, js, cfg.Channel, topo)
	if err != nil {
		return stopping(ctx, err)
	}
	store, err := NewStore(ctx, js)
	if err != nil {
		return stopping(ctx, err)
	}
	revs, err := bus.NewBulletins(ctx, js)
	if err != nil {
		return stopping(ctx, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, max(replicas, 1))
	for i := range errs {
		w := NewWorker(cfg, ch, cons, store, revs)
		wg.Go(func() { errs[i] = w.Run(ctx) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("serve %s: %w", cfg.Channel, err)
	}
	return nil
}

// stopping turns an error caused by ctx ending during start-up into the nil a stop is.
func stopping(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
