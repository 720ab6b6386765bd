package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// Follower keeps a Feed in step with the bus: it rebuilds it from the latest revision
// of every bulletin and then applies each new revision as it is published. Every
// replica of the web service runs one, so every replica's page shows every bulletin,
// whichever replica's worker delivered it.
type Follower struct {
	feed   *Feed
	stream jetstream.Stream
	log    *slog.Logger
	// Retry is how long Run waits before reading again after the bus failed it.
	Retry time.Duration
}

// DefaultRetry: a restarting NATS server is usually back within a second or two.
const DefaultRetry = time.Second

// NewFollower binds f to the bulletins stream, which bus.Setup must have created.
func NewFollower(ctx context.Context, js jetstream.JetStream, f *Feed, log *slog.Logger) (*Follower, error) {
	s, err := js.Stream(ctx, bus.StreamBulletins)
	if err != nil {
		return nil, fmt.Errorf("feed: stream %s: %w", bus.StreamBulletins, err)
	}
	return &Follower{feed: f, stream: s, log: log, Retry: DefaultRetry}, nil
}

// Run reads the bus until ctx ends, then returns nil. The feed is marked ready once it
// holds the latest revision of every bulletin that was on the bus when Run started.
func (fl *Follower) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		err := fl.follow(ctx)
		if ctx.Err() != nil {
			return nil
		}
		fl.log.Warn("following the bulletins failed; reading again", "err", err, "in", fl.Retry)
		t := time.NewTimer(fl.Retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
	return nil
}

// follow reads the latest revision of every bulletin, then every new one. Re-reading
// after a failure applies revisions the feed already holds, which is a no-op.
func (fl *Follower) follow(ctx context.Context) error {
	start := time.Now()
	c, err := fl.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{bus.AllBulletins},
		DeliverPolicy:  jetstream.DeliverLastPerSubjectPolicy,
	})
	if err != nil {
		return fmt.Errorf("feed: read bulletins: %w", err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		return fmt.Errorf("feed: read bulletins: %w", err)
	}
	ready := func() {
		if !fl.feed.IsReady() {
			fl.feed.MarkReady()
			fl.log.Info("feed rebuilt from the bus", "bulletins", fl.feed.Len(), "took", time.Since(start))
		}
	}
	if info.NumPending == 0 {
		ready()
	}
	it, err := c.Messages(jetstream.PullMaxMessages(500))
	if err != nil {
		return fmt.Errorf("feed: read bulletins: %w", err)
	}
	defer it.Stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return fmt.Errorf("feed: read bulletins: %w", err)
		}
		meta, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("feed: read bulletins: %w", err)
		}
		rev, err := bus.Decode(msg.Data())
		if err != nil {
			// One bad message must not hide every other bulletin: say so and go on.
			fl.log.Error("unreadable revision skipped", "subject", msg.Subject(), "seq", meta.Sequence.Stream, "err", err)
		} else if err := fl.Apply(ctx, rev); err != nil {
			return err
		}
		if meta.NumPending == 0 {
			ready()
		}
	}
}

// Apply puts rev in the feed (a no-op when the feed holds it or a newer revision). It
// looks up when the bulletin was first published only when the feed cannot tell.
func (fl *Follower) Apply(ctx context.Context, rev *bulletin.Revision) error {
	if fl.feed.Rev(rev.ID) >= rev.Rev {
		return nil
	}
	var first time.Time
	prev := fl.feed.Get(rev.ID)
	if rev.Action == bulletin.Edit && rev.Bulletin.PublishAt == nil && (prev == nil || prev.Gone) {
		var err error
		if first, err = fl.firstPublished(ctx, rev.ID); err != nil {
			return err
		}
	}
	fl.feed.Apply(rev, first)
	return nil
}

// firstPublished is the time of the bulletin's first revision on the bus.
func (fl *Follower) firstPublished(ctx context.Context, id string) (time.Time, error) {
	subject, err := bus.RevisionSubject(id)
	if err != nil {
		return time.Time{}, err
	}
	raw, err := fl.stream.GetMsg(ctx, 1, jetstream.WithGetMsgSubject(subject))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("feed: first revision of %s: %w", id, err)
	}
	rev, err := bus.Decode(raw.Data)
	if err != nil {
		return time.Time{}, nil // the date falls back to the revision's own
	}
	return rev.At, nil
}

// WatchLinks keeps the feed's YouTube watch links in step with the youtube delivery
// records until ctx ends: a link appears once the broadcast exists and goes when it is
// retracted (delivery.WatchURL, the link the Telegram post shows too; never a
// sandbox's). When the bus drops the watch it watches again after retry
// (delivery.Store.Follow); it returns nil when ctx ends.
func WatchLinks(ctx context.Context, store *delivery.Store, f *Feed, retry time.Duration, log *slog.Logger) error {
	recs, err := store.Follow(ctx, bulletin.YouTube, retry, log)
	if err != nil {
		return fmt.Errorf("feed: watch links: %w", err)
	}
	for rec := range recs {
		f.SetWatchURL(rec.ID, delivery.WatchURL(rec, false), rec.Updated)
	}
	return nil
}
