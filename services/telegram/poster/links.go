package poster

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// A live announcement's post gives the broadcast's start at once and its link once
// YouTube has created the broadcast. The link is read from YouTube's delivery record
// whenever the post is rendered (watchLink); the watcher below notices a link the post
// does not show yet and asks the delivery worker for a refresh — a re-drive request on
// the bus — so the edit runs in the worker, under its lease and in the bulletin's
// order, and a retraction can never be overtaken by it (shared/delivery refreshes
// only a delivered, current revision).

// watchLink is b's broadcast link from its YouTube record; "" when b is not a live
// announcement or YouTube has not given a link. A record that cannot be read leaves
// the link out (logged): the post is worth more than the link.
func (ch *Channel) watchLink(ctx context.Context, b *bulletin.Bulletin) string {
	if b.Live == nil || ch.records == nil {
		return ""
	}
	rec, _, err := ch.records.Get(ctx, b.ID, bulletin.YouTube)
	if err != nil {
		ch.log.Warn("could not read the YouTube record for the broadcast link; posting without it", "id", b.ID, "err", err)
		return ""
	}
	return delivery.WatchURL(rec, ch.cfg.Sandbox)
}

// linkRecheck is how often a link that came while the Telegram delivery was still
// under way is looked at again, and how long a dropped watch waits to watch again.
const linkRecheck = 2 * time.Second

// watchLinks follows YouTube's delivery records until ctx ends (only those: the
// Telegram user may read no other channel's), asking for a refresh of every Telegram
// post that lacks its broadcast's link; delivery.Store.Follow watches again after a drop.
func (s *Service) watchLinks(ctx context.Context) {
	recs, err := s.channel.records.Follow(ctx, bulletin.YouTube, linkRecheck, s.log)
	if err != nil {
		s.log.Error("cannot watch YouTube records for broadcast links", "err", err)
		return
	}
	asked := map[string]string{}   // id → link a refresh was asked for
	waiting := map[string]string{} // id → link seen while Telegram was busy with it
	tick := time.NewTicker(linkRecheck)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			for id, link := range waiting {
				delete(waiting, id)
				s.refreshLink(ctx, id, link, asked, waiting)
			}
		case rec, ok := <-recs:
			if !ok {
				return // ctx ended
			}
			if link := delivery.WatchURL(rec, s.cfg.Sandbox); link != "" {
				s.refreshLink(ctx, rec.ID, link, asked, waiting)
			}
		}
	}
}

// refreshLink asks the worker to refresh bulletin id's post when it does not show link
// yet; while the Telegram delivery is under way the request waits (that delivery may
// already read the link).
func (s *Service) refreshLink(ctx context.Context, id, link string, asked, waiting map[string]string) {
	if asked[id] == link {
		return
	}
	cur, ok, err := s.channel.posts.get(ctx, id)
	if err != nil {
		s.log.Warn("broadcast link: could not read the journal", "id", id, "err", err)
		waiting[id] = link
		return
	}
	if !ok || len(cur.Posts) == 0 || cur.Link == link {
		return // nothing posted (skipped, retracted, not yet), or the link shows
	}
	rec, _, err := s.channel.records.Get(ctx, id, bulletin.Telegram)
	switch {
	case err != nil:
		s.log.Warn("broadcast link: could not read the Telegram record", "id", id, "err", err)
		waiting[id] = link
		return
	case rec == nil || rec.State != delivery.Delivered:
		if rec == nil || rec.State != delivery.Retracted && rec.State != delivery.Skipped && rec.State != delivery.Dead {
			waiting[id] = link // under way (or a newer revision is): look again once done
		}
		return
	}
	subject, err := bus.RedriveSubject(bulletin.Telegram, id)
	if err == nil {
		_, err = s.js.Publish(ctx, subject, nil, jetstream.WithExpectStream(bus.StreamBulletins))
	}
	if err != nil {
		s.log.Warn("broadcast link: could not ask for a refresh", "id", id, "err", err)
		waiting[id] = link
		return
	}
	asked[id] = link
	s.log.Info("broadcast link: asked the worker to edit it into the post", "id", id, "link", link)
}
