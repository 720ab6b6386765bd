package bustest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// Answers is a jetstream.JetStream that tallies the server's answers to publishes, so a
// race test can say which ways of losing a race it actually met: a test that never saw a
// duplicate ack has not tested the cluster's way of reporting one.
type Answers struct {
	jetstream.JetStream
	mu     sync.Mutex
	counts map[string]int
}

// Count wraps js.
func Count(js jetstream.JetStream) *Answers {
	return &Answers{JetStream: js, counts: map[string]int{}}
}

// Publish publishes through the wrapped JetStream and tallies the answer.
func (a *Answers) Publish(ctx context.Context, subject string, data []byte, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	ack, err := a.JetStream.Publish(ctx, subject, data, opts...)
	kind := "ok"
	var apiErr *jetstream.APIError
	switch {
	case errors.As(err, &apiErr):
		kind = fmt.Sprint("error ", apiErr.ErrorCode)
	case err != nil:
		kind = "other error"
	case ack.Duplicate:
		kind = "duplicate"
	}
	a.mu.Lock()
	a.counts[kind]++
	a.mu.Unlock()
	return ack, err
}

// Counts returns the tally so far, by kind of answer: "ok", "duplicate", "error 10071"...
func (a *Answers) Counts() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.counts)
}
