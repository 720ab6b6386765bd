package bus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The services' own streams and buckets. They are part of the layout (Layout) like the
// shared ones, so that one set-up, run with the admin key, creates them all, and no
// service user needs the right to create, change or delete a stream.
const (
	// BucketTelegramPosts is the Telegram worker's journal: per bulletin the messages
	// that show it, per chat the newest message id and the send in flight.
	BucketTelegramPosts = "TELEGRAM_POSTS"
	// BucketYouTubeQuota holds the YouTube quota day every worker shares.
	BucketYouTubeQuota = "YOUTUBE_QUOTA"
	// BucketAccounts, BucketSessions and BucketTokens are the editor's staff buckets.
	BucketAccounts = "ACCOUNTS"
	BucketSessions = "SESSIONS"
	BucketTokens   = "TOKENS"
	// BucketDrafts holds the editor's unpublished drafts, one per author, key:
	// "<bulletin id>.<author in base64url>" (services/editor/desk/drafts.go).
	BucketDrafts = "DRAFTS"
	// StreamAudit is the editor's audit log, subjects SubjectAudit.<action>.
	StreamAudit  = "AUDIT"
	SubjectAudit = "audit"

	// AuditMaxAge keeps the audit log for five years, the council's retention for
	// records of access to its systems.
	AuditMaxAge = 5 * 365 * 24 * time.Hour
	// AuditMaxBytes is the audit log's cap when the set-up creates it; past it the
	// oldest events go. From then on the cap is the operator's (nats stream edit AUDIT
	// --max-bytes=…, admin key): Setup keeps it (KeepOperatorLimits).
	AuditMaxBytes = 1 << 30
	// SessionsTTL bounds how long a login session record is stored at all: the longest
	// EDITOR_SESSION_MAX allows. The editor ends sessions itself, by its own settings.
	SessionsTTL = 7 * 24 * time.Hour
)

// Part is one stream or bucket of the layout: exactly one of Stream and Bucket is set.
type Part struct {
	// Owner is the service that writes it ("" for the shared ones).
	Owner  string
	Stream *jetstream.StreamConfig
	Bucket *jetstream.KeyValueConfig
}

// Name is the part's stream or bucket name (a bucket's stream is KV_<name>).
func (p Part) Name() string {
	if p.Bucket != nil {
		return p.Bucket.Bucket
	}
	return p.Stream.Name
}

// StreamName is the JetStream stream behind the part: the API subjects name it.
func (p Part) StreamName() string {
	if p.Bucket != nil {
		return "KV_" + p.Bucket.Bucket
	}
	return p.Stream.Name
}

// Layout is every stream and bucket of the system, as Setup creates them on topology t.
// It is the one place their configurations are written down; the services only bind to
// them by name (Bind).
func Layout(t Topology) []Part {
	dup := t.DuplicateWindow
	if dup == 0 {
		dup = DefaultDuplicateWindow
	}
	r := t.replicas()
	kv := func(owner, name, desc string, history uint8, ttl time.Duration) Part {
		return Part{Owner: owner, Bucket: &jetstream.KeyValueConfig{Bucket: name, Description: desc, History: history,
			TTL: ttl, Storage: jetstream.FileStorage, Replicas: r}}
	}
	return []Part{
		// BULLETINS first: a user that may not set the bus up is refused at once, on it.
		{Stream: &jetstream.StreamConfig{
			Name:        StreamBulletins,
			Description: "pregoner: every revision of every bulletin, and re-drive requests",
			Subjects:    []string{subjectBulletins + ".*", subjectRedrive + ".*.*"},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Replicas:    r,
			Duplicates:  dup,
			// Revisions are kept forever: they are the bulletins' history.
			MaxMsgsPerSubject: -1,
		}},
		kv("", BucketDeliveries, "pregoner: delivery record per bulletin and channel; its history is the audit trail", DefaultHistory, 0),
		kv(UserEditor, BucketSchedules, "pregoner: bulletins waiting for their publish_at", DefaultHistory, 0),
		kv(UserTelegram, BucketTelegramPosts, "pregoner: Telegram messages showing each bulletin; per chat, the newest message id and the send in flight", 8, 0),
		kv(UserYouTube, BucketYouTubeQuota, "pregoner: YouTube quota day (units spent, exhausted until), shared by every worker", 8, 0),
		kv(UserEditor, BucketAccounts, "pregoner editor: staff accounts (bcrypt password, TOTP secret, role)", 1, 0),
		kv(UserEditor, BucketSessions, "pregoner editor: login sessions, keyed by SHA-256 of the cookie", 1, SessionsTTL),
		kv(UserEditor, BucketTokens, "pregoner editor: API tokens, keyed by SHA-256 of the token", 1, 0),
		kv(UserEditor, BucketDrafts, "pregoner editor: unpublished drafts, key: bulletin id", 5, 0),
		{Owner: UserEditor, Stream: &jetstream.StreamConfig{
			Name:        StreamAudit,
			Description: "pregoner editor: audit log of logins, publishes and account changes",
			Subjects:    []string{SubjectAudit + ".>"},
			Storage:     jetstream.FileStorage,
			Replicas:    r,
			MaxAge:      AuditMaxAge,
			MaxBytes:    AuditMaxBytes,
			// At the cap the oldest events go: an audit log that refused new events
			// would let the actions it should record happen unrecorded.
			Discard: jetstream.DiscardOld,
		}},
	}
}

// Setup creates or updates every stream and bucket of the layout. It is the admin's:
// the hub runs it at start with its admin connection, a cluster's set-up step with the
// admin key (deploy/cmd/setup); no service user may (bus.Grants). It is idempotent, and
// safe to run concurrently. An existing stream keeps its operator's limits
// (KeepOperatorLimits), so a raised audit cap outlives the next start of the hub.
func Setup(ctx context.Context, js jetstream.JetStream, t Topology) error {
	for _, p := range Layout(t) {
		var err error
		if p.Bucket != nil {
			_, err = js.CreateOrUpdateKeyValue(ctx, *p.Bucket)
		} else {
			err = setupStream(ctx, js, *p.Stream)
		}
		if err != nil {
			return fmt.Errorf("bus setup: %s: %w", p.Name(), err)
		}
	}
	return nil
}

// setupStream creates want, or updates the existing stream to it with the operator's
// limits kept.
func setupStream(ctx context.Context, js jetstream.JetStream, want jetstream.StreamConfig) error {
	s, err := js.Stream(ctx, want.Name)
	switch {
	case errors.Is(err, jetstream.ErrStreamNotFound):
		_, err = js.CreateOrUpdateStream(ctx, want) // CreateOrUpdate: another set-up may create it meanwhile
		return err
	case err != nil:
		return err
	}
	_, err = js.CreateOrUpdateStream(ctx, KeepOperatorLimits(want, s.CachedInfo().Config))
	return err
}

// KeepOperatorLimits is the configuration the set-up gives an existing stream: the
// layout's, except its size cap (MaxBytes), which is the operator's once the stream
// exists. An operator raises the audit log's cap with the admin key as it nears the
// cap; putting the default back at the next start would drop years of events.
func KeepOperatorLimits(want, have jetstream.StreamConfig) jetstream.StreamConfig {
	want.MaxBytes = have.MaxBytes
	return want
}

// Topology is how Setup creates the layout and the services their consumers. The zero
// value is a single server; a cluster sets Replicas to 3.
type Topology struct {
	// Replicas of the stream, the bucket and the consumers (1 on one server, 3 on a
	// cluster). 0 means 1.
	Replicas int
	// AckWait: see DefaultAckWait. 0 means the default.
	AckWait time.Duration
	// DuplicateWindow: see DefaultDuplicateWindow. 0 means the default.
	DuplicateWindow time.Duration
}

func (t Topology) replicas() int {
	return max(t.Replicas, 1)
}

// Consumer creates or updates the durable consumer of one channel and returns it.
//
// Every replica of a channel's worker shares it. MaxAckPending is 1: the channel takes
// revisions strictly in the order they were published, across bulletins, so citizens
// read posts in the order staff sent them and an edit never overtakes its publish.
// Channels are paced by their APIs (Telegram: 20 posts a minute per chat) far below
// what one delivery at a time allows; see docs/architecture.md.
func Consumer(ctx context.Context, js jetstream.JetStream, channel string, t Topology) (jetstream.Consumer, error) {
	ackWait := t.AckWait
	if ackWait == 0 {
		ackWait = DefaultAckWait
	}
	c, err := js.CreateOrUpdateConsumer(ctx, StreamBulletins, jetstream.ConsumerConfig{
		Durable:        channel,
		Description:    "pregoner: deliveries to " + channel,
		FilterSubjects: []string{subjectBulletins + ".*", subjectRedrive + "." + channel + ".*"},
		AckPolicy:      jetstream.AckExplicitPolicy,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		AckWait:        ackWait,
		MaxDeliver:     -1, // the worker decides when to give up, and records why
		MaxAckPending:  1,
		Replicas:       t.replicas(),
	})
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("bus: consumer %s: %w", channel, notSetUp("stream", StreamBulletins))
	}
	if err != nil {
		return nil, fmt.Errorf("bus setup: consumer %s: %w", channel, err)
	}
	return c, nil
}

// LoadTopology reads NATS_REPLICAS (1 on one server, 3 on a cluster; default 1) through
// getenv (os.Getenv in main).
func LoadTopology(getenv func(string) string) (Topology, error) {
	v := strings.TrimSpace(getenv("NATS_REPLICAS"))
	if v == "" {
		return Topology{}, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 5 {
		return Topology{}, fmt.Errorf("NATS_REPLICAS %q: want a number from 1 to 5", v)
	}
	return Topology{Replicas: n}, nil
}
