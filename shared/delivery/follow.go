package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
)

// WatchURL is the link a record gives citizens to what the channel made (a YouTube
// broadcast, say): its URL while the channel carries the bulletin and the URL is an
// absolute http(s) one; "" otherwise. A sandbox's record (Ref.Sandbox) gives one only
// when allowSandbox: its broadcast reached nobody, and its URL is a local address that
// means nothing, or worse, to a citizen of the real channel. The web page and the
// Telegram post of a live announcement both read it, so they show the same link.
func WatchURL(rec *Record, allowSandbox bool) string {
	if rec == nil || rec.Carried == 0 || rec.State == Retracted || rec.Ref.Sandbox && !allowSandbox {
		return ""
	}
	u, err := url.Parse(rec.Ref.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.String()
}

// Follow streams the records of channel — the current ones first, then every change —
// until ctx ends, and then closes the stream. When the bus ends the watch (a server
// restart, a dropped connection) it logs and watches again after retry, from the
// current records: a follower takes each record as the latest word, so seeing one
// again is harmless. Only the keys of channel are watched ("*.<channel>"), so a user
// allowed to read that channel's records and nothing else may follow them.
func (s *Store) Follow(ctx context.Context, channel string, retry time.Duration, log *slog.Logger) (<-chan *Record, error) {
	if !slices.Contains(bulletin.KnownChannels, channel) {
		return nil, fmt.Errorf("follow deliveries: unknown channel %q (want one of %s)", channel, strings.Join(bulletin.KnownChannels, ", "))
	}
	out := make(chan *Record, 64)
	go func() {
		defer close(out)
		for ctx.Err() == nil {
			err := s.watch(ctx, "*."+channel, out)
			if ctx.Err() != nil {
				return
			}
			log.Warn("watching delivery records failed; watching again", "channel", channel, "err", err, "in", retry)
			t := time.NewTimer(retry)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
	}()
	return out, nil
}

// watch sends the records whose keys match pattern to out until ctx ends (nil) or the
// bus ends the watch (an error).
func (s *Store) watch(ctx context.Context, pattern string, out chan<- *Record) error {
	w, err := s.kv.Watch(ctx, pattern)
	if err != nil {
		return fmt.Errorf("watch deliveries %s: %w", pattern, err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return fmt.Errorf("watch deliveries %s: the bus ended the watch", pattern)
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			rec, err := decode(e)
			if err != nil {
				continue // one unreadable record must not stop the others
			}
			select {
			case out <- rec:
			case <-ctx.Done():
				return nil
			}
		}
	}
}
