package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bus"
)

// BucketPosts is the key-value bucket where the Telegram worker keeps, per bulletin,
// the messages it has in the chat right now. It is written after every single send,
// edit or delete, so a delivery that fails or crashes halfway through a split bulletin
// resumes where it stopped instead of posting the first parts twice. The delivery
// record (shared) only learns the message ids once the whole delivery is done.
const BucketPosts = "TELEGRAM_POSTS"

// shown is what the chat shows of one bulletin.
type shown struct {
	Chat  string `json:"chat,omitempty"`
	Posts []post `json:"posts"`
}

type post struct {
	ID     int       `json:"id"`
	SentAt time.Time `json:"sent_at"`
}

// posts reads and writes the bucket. One revision is handled at a time per channel
// (see bus.Consumer), so plain puts are enough.
type posts struct {
	kv jetstream.KeyValue
}

func newPosts(ctx context.Context, js jetstream.JetStream, topo bus.Topology) (*posts, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      BucketPosts,
		Description: "pregoner: Telegram messages currently showing each bulletin",
		History:     8,
		Storage:     jetstream.FileStorage,
		Replicas:    max(topo.Replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("telegram: bucket %s: %w", BucketPosts, err)
	}
	return &posts{kv: kv}, nil
}

// get returns what the chat shows of bulletin id; ok is false when nothing was ever
// written for it.
func (p *posts) get(ctx context.Context, id string) (s shown, ok bool, err error) {
	e, err := p.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return shown{}, false, nil
	}
	if err != nil {
		return shown{}, false, fmt.Errorf("telegram: read posts of %s: %w", id, err)
	}
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return shown{}, false, fmt.Errorf("telegram: decode posts of %s: %w", id, err)
	}
	return s, true, nil
}

func (p *posts) put(ctx context.Context, id string, s shown) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("telegram: encode posts of %s: %w", id, err)
	}
	if _, err := p.kv.Put(ctx, id, data); err != nil {
		return fmt.Errorf("telegram: record posts of %s: %w", id, err)
	}
	return nil
}
