package deploy_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/paeria/pregoner/shared/delivery"
)

// postChannel stands in for a channel's API the way the real ones behave: each Deliver
// posts once, and a retried job (Job.Retry: an earlier attempt may have reached the
// channel) first looks for its post, as the Telegram and YouTube workers do, so a crash
// between the call and the record never shows a bulletin twice.
type postChannel struct {
	mu     sync.Mutex
	posts  []string       // what citizens see, in order: "id@rev"
	byID   map[string]int // id -> index in posts
	calls  int
	retry  int
	failOn func(job delivery.Job) error // nil: every call succeeds
}

func newPostChannel() *postChannel { return &postChannel{byID: map[string]int{}} }

func (c *postChannel) Deliver(_ context.Context, job delivery.Job) (delivery.Ref, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.failOn != nil {
		if err := c.failOn(job); err != nil {
			return delivery.Ref{}, err
		}
	}
	if job.Retry {
		c.retry++
		if i, ok := c.byID[job.Revision.ID]; ok {
			return delivery.Ref{IDs: []string{fmt.Sprint(i)}}, nil // already posted: found it
		}
	}
	c.byID[job.Revision.ID] = len(c.posts)
	c.posts = append(c.posts, job.Revision.Key())
	return delivery.Ref{IDs: []string{fmt.Sprint(len(c.posts) - 1)}}, nil
}

func (c *postChannel) Update(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	return c.Deliver(ctx, job)
}

func (c *postChannel) Retract(context.Context, delivery.Job) error { return nil }

// Posts returns what the channel shows, in order.
func (c *postChannel) Posts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.posts...)
}

// Stats returns how many calls the channel got and how many were retries.
func (c *postChannel) Stats() (calls, retries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls, c.retry
}
