package site

import (
	"context"

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/delivery"
)

// Channel is the web channel as the delivery worker sees it. Delivering a revision
// means the page serves it from then on; the reference is the bulletin's permalink.
type Channel struct {
	follower *feed.Follower
	server   *Server
}

// NewChannel returns the web channel that applies revisions through fl to the feed s
// serves.
func NewChannel(fl *feed.Follower, s *Server) *Channel {
	return &Channel{follower: fl, server: s}
}

// Deliver makes the page serve the revision and returns its permalink.
func (c *Channel) Deliver(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	if err := c.follower.Apply(ctx, job.Revision); err != nil {
		return delivery.Ref{}, delivery.Temporary(err, 0)
	}
	return delivery.Ref{URL: c.server.permalink(job.Revision.ID), Target: c.server.cfg.BaseURL}, nil
}

// Update makes the page serve the edited revision in place, at the same permalink.
func (c *Channel) Update(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	return c.Deliver(ctx, job)
}

// Retract takes the bulletin off the page; its permalink answers 410 Gone from then on.
func (c *Channel) Retract(ctx context.Context, job delivery.Job) error {
	if err := c.follower.Apply(ctx, job.Revision); err != nil {
		return delivery.Temporary(err, 0)
	}
	return nil
}
