package poster

import (
	"context"
	"encoding/hex"
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
//
// It also keeps, per chat (key "chat.<hex of the chat id>": bulletin ids never hold a
// dot), the highest message id the bot knows there and the intent of the send in
// flight; see chatState. And, per group (key "group.<hex of the group>"), the bulletins
// in TELEGRAM_LANG it handled; see translationSkip.
//
// The set-up (bus.Setup, the admin's) creates it; the worker only binds to it.
const BucketPosts = bus.BucketTelegramPosts

// shown is what the chat shows of one bulletin.
type shown struct {
	Chat  string `json:"chat,omitempty"`
	Posts []post `json:"posts"`
	// Link is the live broadcast's link the posts show ("" for none): the link watcher
	// asks for a refresh when YouTube's record has one the posts do not show yet.
	Link string `json:"link,omitempty"`
	// Notices are older posts of the bulletin that Telegram would no longer delete when
	// it was posted afresh or got shorter: they show an "updated" notice (tghtml.Notice),
	// and become "withdrawn" notices when the bulletin is retracted.
	Notices []post `json:"notices,omitempty"`
}

type post struct {
	ID     int       `json:"id"`
	SentAt time.Time `json:"sent_at"`
	// Photo is the image URL the message shows with the part as its caption ("" for a
	// text message).
	Photo string `json:"photo,omitempty"`
	// Fallback is the image URL Telegram could not fetch: the part went out as text
	// (the image a link in it), and stays text while the bulletin keeps that image.
	Fallback string `json:"fallback,omitempty"`
}

// chatState is what the bot knows of one chat. Before every sendMessage the worker
// writes Intent; once the message id is in the bulletin's journal the intent is done.
// An intent found still open means a send whose outcome is unknown (its reply was lost,
// or the worker died mid-send): the chat's message ids after Intent.After are probed
// for it before anything else is sent there. No send goes to a chat while its intent is
// open, so the only unknown post of the bot above After can be the intent's own.
type chatState struct {
	// High is the highest message id the bot knows in the chat: the newest of its own
	// posts (ids grow by one per message in a channel).
	High   int     `json:"high"`
	Intent *intent `json:"intent,omitempty"`
}

// intent is a send whose message id is not yet recorded.
type intent struct {
	Bulletin string `json:"bulletin"`
	// Part is the index the message takes among the bulletin's posts.
	Part int `json:"part"`
	// HTML is the exact text sent: probing edits a message to it, and only a message
	// that already shows it answers "message is not modified".
	HTML string `json:"html"`
	// Photo is the image URL of a sendPhoto (HTML is then its caption): probing edits
	// the caption instead of the text.
	Photo string `json:"photo,omitempty"`
	// After is High when the intent was written: the post, if it exists, is above it.
	After int `json:"after"`
	// Blind is set when the bot knew no message of the chat yet: probing could then
	// land on an old post of its own and overwrite it, so it is not done.
	Blind bool      `json:"blind,omitempty"`
	At    time.Time `json:"at"`
}

// chatLog is one chat's state as read at the start of a delivery, and the bucket
// revision it was read at: writes are conditional on it, so two workers never both
// believe they own the chat's next send.
type chatLog struct {
	chat  string
	state chatState
	rev   uint64 // 0: no entry yet
	// dirty is set when state holds news (an intent done) not yet written.
	dirty bool
}

// errChatMoved is returned when a chat's entry changed since it was read.
var errChatMoved = errors.New("the chat's journal entry changed meanwhile (another worker?)")

func chatKey(chat string) string { return "chat." + hex.EncodeToString([]byte(chat)) }

// chat reads a chat's entry.
func (p *posts) chat(ctx context.Context, chat string) (*chatLog, error) {
	l := &chatLog{chat: chat}
	e, err := p.kv.Get(ctx, chatKey(chat))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("telegram: read the journal of chat %s: %w", chat, err)
	}
	if err := json.Unmarshal(e.Value(), &l.state); err != nil {
		return nil, fmt.Errorf("telegram: decode the journal of chat %s: %w", chat, err)
	}
	l.rev = e.Revision()
	return l, nil
}

// putChat writes l.state if nobody wrote the entry since l was read.
func (p *posts) putChat(ctx context.Context, l *chatLog) error {
	data, err := json.Marshal(l.state)
	if err != nil {
		return fmt.Errorf("telegram: encode the journal of chat %s: %w", l.chat, err)
	}
	var rev uint64
	if l.rev == 0 {
		rev, err = p.kv.Create(ctx, chatKey(l.chat), data)
	} else {
		rev, err = p.kv.Update(ctx, chatKey(l.chat), data, l.rev)
	}
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return fmt.Errorf("telegram: chat %s: %w", l.chat, errChatMoved)
	}
	if err != nil {
		return fmt.Errorf("telegram: record the journal of chat %s: %w", l.chat, err)
	}
	l.rev, l.dirty = rev, false
	return nil
}

// posts reads and writes the bucket. One revision is handled at a time per channel
// (see bus.Consumer), so plain puts are enough.
type posts struct {
	kv jetstream.KeyValue
}

// newPosts binds to BucketPosts, which the set-up must have created.
func newPosts(ctx context.Context, js jetstream.JetStream) (*posts, error) {
	kv, err := bus.BindKeyValue(ctx, js, BucketPosts)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
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
