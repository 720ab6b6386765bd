package site

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/bus"
)

// alertKey is how an alert: block starts in a revision's JSON. A revision without it,
// of a bulletin that is not part of an alert, changes no message: it is skipped
// undecoded, so the rebuild costs little more than reading the stream.
var alertKey = []byte(`"alert":`)

// followAlerts keeps the alerts in step with the bus until ctx ends, then returns nil.
// Unlike the page's feed it reads every revision, not the latest of each bulletin:
// Updates and Cancels name the messages before them. When the bus fails it, it reads
// again from the start; revisions already applied are skipped.
func (s *Server) followAlerts(ctx context.Context, js jetstream.JetStream) error {
	stream, err := js.Stream(ctx, bus.StreamBulletins)
	if err != nil {
		return fmt.Errorf("alerts: stream %s: %w", bus.StreamBulletins, err)
	}
	for ctx.Err() == nil {
		err := s.readAlerts(ctx, stream)
		if ctx.Err() != nil {
			return nil
		}
		s.log.Warn("following the alerts failed; reading again", "err", err, "in", feed.DefaultRetry)
		t := time.NewTimer(feed.DefaultRetry)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
	return nil
}

func (s *Server) readAlerts(ctx context.Context, stream jetstream.Stream) error {
	start := time.Now()
	c, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{bus.AllBulletins},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("alerts: read bulletins: %w", err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		return fmt.Errorf("alerts: read bulletins: %w", err)
	}
	ready := func() {
		if !s.alerts.ready.Swap(true) {
			s.log.Info("alerts rebuilt from the bus", "took", time.Since(start))
		}
	}
	if info.NumPending == 0 {
		ready()
	}
	it, err := c.Messages(jetstream.PullMaxMessages(500))
	if err != nil {
		return fmt.Errorf("alerts: read bulletins: %w", err)
	}
	defer it.Stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return fmt.Errorf("alerts: read bulletins: %w", err)
		}
		meta, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("alerts: read bulletins: %w", err)
		}
		id, _, ok := bus.ParseSubject(msg.Subject())
		if ok && (bytes.Contains(msg.Data(), alertKey) || s.alerts.isMember(id)) {
			if rev, err := bus.Decode(msg.Data()); err != nil {
				// The page's follower logs it too; one bad message must not stop the alerts.
				s.log.Debug("unreadable revision skipped for the alerts", "subject", msg.Subject(), "err", err)
			} else if s.alerts.apply(rev) {
				s.log.Debug("CAP message made", "bulletin", rev.ID, "rev", rev.Rev)
			}
		}
		if meta.NumPending == 0 {
			ready()
		}
	}
}
