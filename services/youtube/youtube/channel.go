package youtube

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"google.golang.org/api/option"
	yt "google.golang.org/api/youtube/v3"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/markdown"
)

// maxScanPages bounds the search for a broadcast an earlier attempt made: 20 pages of
// 50 are the channel's last thousand broadcasts, at 1 unit a page.
const maxScanPages = 20

// parts are the liveBroadcast parts the worker writes. An update overwrites every field
// of the parts it sends, so both are always sent whole.
var parts = []string{"snippet", "status"}

// Channel carries live announcements to the council's YouTube channel: it implements
// delivery.Channel with liveBroadcasts.insert, update and delete. It is safe for
// concurrent use.
type Channel struct {
	cfg    Config
	api    *yt.Service
	md     *markdown.Markdown
	tokens *tokens
	quota  *Quota
	now    func() time.Time
	log    *slog.Logger
}

// NewChannel returns a channel talking to cfg.APIURL with access tokens from
// cfg.TokenURL. It makes no call yet.
func NewChannel(cfg Config, log *slog.Logger) (*Channel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	base := &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true,
		MaxIdleConns: 10, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second}
	tk := newTokens(cfg, &http.Client{Timeout: cfg.Timeout, Transport: base}, now)
	client := &http.Client{Timeout: cfg.Timeout, Transport: &authTransport{src: tk, base: base}}
	api, err := yt.NewService(context.Background(), option.WithEndpoint(cfg.APIURL), option.WithHTTPClient(client))
	if err != nil {
		return nil, fmt.Errorf("youtube: client: %w", err)
	}
	return &Channel{cfg: cfg, api: api, md: markdown.New(), tokens: tk,
		quota: NewQuota(cfg.DailyQuota, now), now: now, log: log.With("channel", bulletin.YouTube)}, nil
}

// Quota reports the units spent today and whether the quota is exhausted.
func (c *Channel) Quota() QuotaStatus { return c.quota.Status() }

// Redact hides the client secret, the refresh token and access tokens in s.
func (c *Channel) Redact(s string) string { return c.tokens.Redact(s) }

// Deliver schedules a broadcast for a live announcement. A bulletin without a live
// block is skipped. When an earlier attempt may have reached YouTube (job.Retry), the
// broadcast it made is looked up by its marker and updated instead of made again.
func (c *Channel) Deliver(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	b := job.Revision.Bulletin
	if b.Live == nil {
		return delivery.Ref{}, delivery.Skip("no live block: not a live announcement")
	}
	if err := c.precheck(b); err != nil {
		return delivery.Ref{}, err
	}
	if job.Retry {
		id, err := c.find(ctx, b.ID)
		if err != nil {
			return delivery.Ref{}, err
		}
		if id != "" {
			c.log.Info("found the broadcast an earlier attempt made; updating it", "id", b.ID, "broadcast", id)
			return c.update(ctx, id, b)
		}
	}
	return c.insert(ctx, b)
}

// Update rewrites the broadcast of job.Prev.Ref with the revision. When the revision
// dropped the live block the broadcast is withdrawn and the revision skipped; when the
// broadcast is gone from YouTube a new one is made.
func (c *Channel) Update(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	b := job.Revision.Bulletin
	id := firstID(job.Prev.Ref)
	if b.Live == nil {
		if id != "" {
			if wait := c.quota.Wait(); wait > 0 {
				return delivery.Ref{}, delivery.Temporary(c.quotaError(wait), wait)
			}
			if err := c.delete(ctx, id); err != nil && !isNotFound(err) {
				return delivery.Ref{}, err
			}
		}
		return delivery.Ref{}, delivery.Skip("live block removed: the broadcast was withdrawn")
	}
	if err := c.precheck(b); err != nil {
		return delivery.Ref{}, err
	}
	if id == "" {
		return c.Deliver(ctx, job)
	}
	ref, err := c.update(ctx, id, b)
	if isNotFound(err) {
		c.log.Warn("broadcast gone from YouTube; scheduling it anew", "id", b.ID, "broadcast", id)
		return c.Deliver(ctx, job)
	}
	return ref, err
}

// Retract deletes the broadcast. One already gone counts as deleted.
func (c *Channel) Retract(ctx context.Context, job delivery.Job) error {
	if wait := c.quota.Wait(); wait > 0 && len(job.Prev.Ref.IDs) > 0 {
		return delivery.Temporary(c.quotaError(wait), wait)
	}
	for _, id := range job.Prev.Ref.IDs {
		if err := c.delete(ctx, id); err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}

// precheck refuses what the API would refuse, and waits out an exhausted quota without
// spending a call on it.
func (c *Channel) precheck(b *bulletin.Bulletin) error {
	if errs := check(c.md, b, c.now()); len(errs) > 0 {
		return delivery.Permanent(fmt.Errorf("youtube: %w", errors.Join(errs...)))
	}
	if wait := c.quota.Wait(); wait > 0 {
		return delivery.Temporary(c.quotaError(wait), wait)
	}
	return nil
}

func (c *Channel) quotaError(wait time.Duration) error {
	return fmt.Errorf("youtube: %s", c.quotaMsg(wait))
}

func (c *Channel) quotaMsg(wait time.Duration) string {
	return fmt.Sprintf("daily quota of %d units exhausted; waiting for the reset at %s (midnight Pacific time)",
		c.cfg.DailyQuota, c.now().Add(wait).UTC().Format(time.RFC3339))
}

func (c *Channel) resource(b *bulletin.Bulletin, id string) *yt.LiveBroadcast {
	return &yt.LiveBroadcast{
		Id: id,
		Snippet: &yt.LiveBroadcastSnippet{
			Title:              liveTitle(b),
			Description:        Description(c.md, b, Permalink(c.cfg.WebBaseURL, b.ID)),
			ScheduledStartTime: b.Live.Start.UTC().Format(time.RFC3339),
			ForceSendFields:    []string{"Description"},
		},
		Status: &yt.LiveBroadcastStatus{
			PrivacyStatus:   c.cfg.Privacy,
			ForceSendFields: []string{"SelfDeclaredMadeForKids"},
		},
	}
}

func (c *Channel) insert(ctx context.Context, b *bulletin.Bulletin) (delivery.Ref, error) {
	var got *yt.LiveBroadcast
	err := c.call("insert", CostWrite, func() (err error) {
		got, err = c.api.LiveBroadcasts.Insert(parts, c.resource(b, "")).Context(ctx).Do()
		return err
	})
	if err != nil {
		return delivery.Ref{}, err
	}
	c.log.Info("broadcast scheduled", "id", b.ID, "broadcast", got.Id, "start", b.Live.Start, "quota_spent", c.quota.Status().Spent)
	return c.ref(got), nil
}

func (c *Channel) update(ctx context.Context, id string, b *bulletin.Bulletin) (delivery.Ref, error) {
	var got *yt.LiveBroadcast
	err := c.call("update", CostWrite, func() (err error) {
		got, err = c.api.LiveBroadcasts.Update(parts, c.resource(b, id)).Context(ctx).Do()
		return err
	})
	if err != nil {
		return delivery.Ref{}, err
	}
	c.log.Info("broadcast updated", "id", b.ID, "broadcast", got.Id, "start", b.Live.Start, "quota_spent", c.quota.Status().Spent)
	return c.ref(got), nil
}

func (c *Channel) delete(ctx context.Context, id string) error {
	err := c.call("delete", CostWrite, func() error {
		return c.api.LiveBroadcasts.Delete(id).Context(ctx).Do()
	})
	if err == nil {
		c.log.Info("broadcast deleted", "broadcast", id, "quota_spent", c.quota.Status().Spent)
	}
	return err
}

// find looks for the broadcast an earlier attempt made for bulletin id, by the marker
// in its description; "" when there is none.
func (c *Channel) find(ctx context.Context, id string) (string, error) {
	marker, token := Marker(id), ""
	for range maxScanPages {
		var resp *yt.LiveBroadcastListResponse
		err := c.call("list", CostList, func() (err error) {
			resp, err = c.api.LiveBroadcasts.List([]string{"snippet"}).Mine(true).MaxResults(50).
				PageToken(token).Context(ctx).Do()
			return err
		})
		if err != nil {
			return "", err
		}
		for _, it := range resp.Items {
			if it.Snippet != nil && strings.Contains(it.Snippet.Description, marker) {
				return it.Id, nil
			}
		}
		if resp.NextPageToken == "" {
			break
		}
		token = resp.NextPageToken
	}
	return "", nil
}

func (c *Channel) ref(got *yt.LiveBroadcast) delivery.Ref {
	ref := delivery.Ref{URL: c.cfg.WatchURL + got.Id, IDs: []string{got.Id}}
	if got.Snippet != nil {
		ref.Target = got.Snippet.ChannelId
	}
	return ref
}

func firstID(r delivery.Ref) string {
	if len(r.IDs) == 0 {
		return ""
	}
	return r.IDs[0]
}
