package live

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
	"github.com/paeria/pregoner/shared/ytfields"
)

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
	// sandbox marks every reference: the service runs the channel against its local
	// sandbox, so nothing reached citizens.
	sandbox bool
}

// NewChannel returns a channel talking to cfg.APIURL with access tokens from
// cfg.TokenURL, counting its spending in quota (see OpenQuota). It makes no call yet.
func NewChannel(cfg Config, quota *Quota, log *slog.Logger) (*Channel, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if quota == nil {
		return nil, errors.New("youtube: no quota account (see OpenQuota)")
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
		quota: quota, now: now, log: log.With("channel", bulletin.YouTube)}, nil
}

// Quota reports the units spent today by every replica and whether the quota is
// exhausted, as the bus has it.
func (c *Channel) Quota(ctx context.Context) (QuotaStatus, error) { return c.quota.Status(ctx) }

// Redact hides the client secret, the refresh token and access tokens in s.
func (c *Channel) Redact(s string) string { return c.tokens.Redact(s) }

// Deliver schedules a broadcast for a live announcement. A bulletin without a live
// block is skipped. When an earlier attempt may have reached YouTube, the broadcast it
// made is looked up by its permalink and updated instead of made again.
func (c *Channel) Deliver(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	b := job.Revision.Bulletin
	if b.Live == nil {
		// A skipped record made no call; after anything else a broadcast of an earlier
		// revision may be showing unrecorded: withdraw it before skipping.
		if mayHaveActed(job) && job.Prev.State != delivery.Skipped {
			if err := c.withdraw(ctx, job); err != nil {
				return delivery.Ref{}, err
			}
		}
		return delivery.Ref{}, delivery.Skip("no live block: not a live announcement")
	}
	if err := c.precheck(ctx, b); err != nil {
		return delivery.Ref{}, err
	}
	if mayHaveActed(job) {
		id, err := c.find(ctx, b.ID)
		if err != nil {
			return delivery.Ref{}, err
		}
		if id != "" {
			c.log.Info("found the broadcast an earlier attempt made; updating it", "id", b.ID, "broadcast", id)
			ref, err := c.update(ctx, id, b)
			switch {
			case err == nil:
				return ref, nil
			case !isNotFound(err): // deleted since the look-up: schedule it anew below
				return delivery.Ref{}, delivery.Showing(err, c.watchRef(id), "broadcast "+id+" of an earlier attempt")
			}
		}
	}
	return c.insert(ctx, b)
}

// Update rewrites the broadcast of job.Prev.Ref with the revision. When the revision
// dropped the live block the broadcast is withdrawn and the revision skipped; when the
// broadcast is gone from YouTube a new one is made.
func (c *Channel) Update(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	b := job.Revision.Bulletin
	if b.Live == nil {
		if err := c.withdraw(ctx, job); err != nil {
			return delivery.Ref{}, err
		}
		return delivery.Ref{}, delivery.Skip("live block removed: the broadcast was withdrawn")
	}
	if err := c.precheck(ctx, b); err != nil {
		return delivery.Ref{}, err
	}
	id := firstID(job.Prev.Ref)
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
	return c.withdraw(ctx, job)
}

// precheck refuses what the API would refuse, and waits out an exhausted quota without
// spending a call on it.
func (c *Channel) precheck(ctx context.Context, b *bulletin.Bulletin) error {
	if errs := ytfields.Check(c.md, b, c.now()); len(errs) > 0 {
		return delivery.PermanentBecause(fieldsReason(errs), fmt.Errorf("youtube: %w", errors.Join(errs...)))
	}
	return c.waitQuota(ctx)
}

// fieldsReason is the reason code of ytfields' refusals: a start in the past (fixed by
// a new start) or another field rule (fixed by editing the field).
func fieldsReason(errs []error) string {
	for _, err := range errs {
		var fe *bulletin.FieldError
		if errors.As(err, &fe) && fe.Field == "live: start" && strings.Contains(fe.Msg, "not in the future") {
			return delivery.ReasonStartPassed
		}
	}
	return delivery.ReasonFieldLimit
}

// waitQuota returns a temporary error until the reset when the bus says the quota is
// exhausted. An unreadable account is temporary too: the worker could not record the
// outcome on that bus either.
func (c *Channel) waitQuota(ctx context.Context) error {
	wait, err := c.quota.Wait(ctx)
	if err != nil {
		return delivery.Temporary(err, 0)
	}
	if wait > 0 {
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
			Title:              ytfields.Title(b),
			Description:        ytfields.Description(c.md, b, ytfields.Permalink(c.cfg.WebBaseURL, b.ID)),
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
	spent, err := c.call(ctx, "insert", CostWrite, func() (err error) {
		got, err = c.api.LiveBroadcasts.Insert(parts, c.resource(b, "")).Context(ctx).Do()
		return err
	})
	if err != nil {
		return delivery.Ref{}, err
	}
	c.log.Info("broadcast scheduled", "id", b.ID, "broadcast", got.Id, "start", b.Live.Start, "quota_spent", spent)
	return c.ref(got), nil
}

func (c *Channel) update(ctx context.Context, id string, b *bulletin.Bulletin) (delivery.Ref, error) {
	var got *yt.LiveBroadcast
	spent, err := c.call(ctx, "update", CostWrite, func() (err error) {
		got, err = c.api.LiveBroadcasts.Update(parts, c.resource(b, id)).Context(ctx).Do()
		return err
	})
	if err != nil {
		return delivery.Ref{}, err
	}
	c.log.Info("broadcast updated", "id", b.ID, "broadcast", got.Id, "start", b.Live.Start, "quota_spent", spent)
	return c.ref(got), nil
}

func (c *Channel) delete(ctx context.Context, id string) error {
	spent, err := c.call(ctx, "delete", CostWrite, func() error {
		return c.api.LiveBroadcasts.Delete(id).Context(ctx).Do()
	})
	if err == nil {
		c.log.Info("broadcast deleted", "broadcast", id, "quota_spent", spent)
	}
	return err
}

func (c *Channel) ref(got *yt.LiveBroadcast) delivery.Ref {
	ref := c.watchRef(got.Id)
	if got.Snippet != nil {
		ref.Target = got.Snippet.ChannelId
	}
	return ref
}

// watchRef is the reference to broadcasts ids, linking to the first.
func (c *Channel) watchRef(ids ...string) delivery.Ref {
	return delivery.Ref{URL: c.cfg.WatchURL + ids[0], IDs: ids, Sandbox: c.sandbox}
}

func firstID(r delivery.Ref) string {
	if len(r.IDs) == 0 {
		return ""
	}
	return r.IDs[0]
}
