package poster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/tghtml"
)

// maxLookahead bounds how many revisions published after a translation are read to
// find its group's version in TELEGRAM_LANG (one stream read each). The worker is
// normally caught up, so this is the backlog of an import at most.
const maxLookahead = 500

// langNames name the languages staff read in a skip reason; others show as their code.
var langNames = map[string]string{"ca": "Catalan", "es": "Spanish", "en": "English", "fr": "French", "oc": "Occitan"}

func langName(lang string) string {
	if n, ok := langNames[lang]; ok {
		return n
	}
	return lang
}

// group reads the bulletins stream for the other members of a bulletin's group. The
// Telegram user may read the latest revision of a bulletin and single messages of the
// stream, not run a consumer over it; so the members in TELEGRAM_LANG the worker has
// handled are kept in TELEGRAM_POSTS (key "group.<hex>"), and the revisions published
// after the translation are read one by one.
type group struct {
	js    jetstream.JetStream
	posts *posts
}

// translation records b as its group's member in Lang when it is one, and otherwise
// returns why it is not posted ("" when it is).
func (ch *Channel) translation(ctx context.Context, b *bulletin.Bulletin) (string, error) {
	if ch.group == nil {
		return "", nil
	}
	if b.Lang == ch.cfg.Lang {
		if err := ch.known.note(ctx, ch.posts, b.Group, b.ID); err != nil {
			return "", delivery.Temporary(err, 0)
		}
		return "", nil
	}
	return ch.translationSkip(ctx, b)
}

// translationSkip returns why b is not posted, or "" when it is: with one chat for
// both, the default chat carries a group in cfg.Lang only. A bulletin is skipped when
// its language has no chat of its own, it is not in cfg.Lang, the default chat carries
// cfg.Lang, and a member of its group in cfg.Lang is on the Telegram channel (not
// retracted), whether delivered before it or published after it.
func (ch *Channel) translationSkip(ctx context.Context, b *bulletin.Bulletin) (string, error) {
	lang := ch.cfg.Lang
	if _, own := ch.cfg.ChatByLang[b.Lang]; own || b.Lang == lang || ch.cfg.chatFor(lang) != ch.cfg.ChatID {
		return "", nil
	}
	found, err := ch.group.chosenMember(ctx, b, lang)
	if err != nil || !found {
		return "", err
	}
	set := "TELEGRAM_CHAT_ID_" + strings.ToUpper(b.Lang)
	if !slices.Contains(chatLangs, b.Lang) {
		set = "TELEGRAM_CHATS=" + b.Lang + "=<chat>"
	}
	return fmt.Sprintf("translation: the channel carries the group's %s version; set %s to post %s to its own chat",
		langName(lang), set, langName(b.Lang)), nil
}

// chosenMember reports whether b's group has another member in lang on the Telegram
// channel: one the worker handled before (the group's entry), or one published after b.
func (g *group) chosenMember(ctx context.Context, b *bulletin.Bulletin, lang string) (bool, error) {
	member := func(r *bulletin.Revision) bool {
		return r.ID != b.ID && r.Action != bulletin.Retract && r.Bulletin != nil && r.Bulletin.Group == b.Group &&
			r.Bulletin.Lang == lang && r.Bulletin.HasChannel(bulletin.Telegram)
	}
	// Bound here, not at start: the stream may be set up after the service.
	stream, err := g.js.Stream(ctx, bus.StreamBulletins)
	if err != nil {
		return false, delivery.Temporary(fmt.Errorf("telegram: stream %s: %w", bus.StreamBulletins, err), 0)
	}
	ids, err := g.posts.members(ctx, b.Group)
	if err != nil {
		return false, delivery.Temporary(err, 0)
	}
	for _, id := range ids {
		r, _, err := latest(ctx, stream, id)
		if err != nil {
			return false, delivery.Temporary(err, 0)
		}
		if r != nil && member(r) {
			return true, nil
		}
	}
	_, seq, err := latest(ctx, stream, b.ID)
	if err != nil {
		return false, delivery.Temporary(err, 0)
	}
	later := map[string]*bulletin.Revision{} // the newest revision of each, as read
	for range maxLookahead {
		msg, err := stream.GetMsg(ctx, seq+1, jetstream.WithGetMsgSubject(bus.AllBulletins))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return false, delivery.Temporary(fmt.Errorf("telegram: read the bulletins after %s: %w", b.ID, err), 0)
		}
		seq = msg.Sequence
		r, err := bus.Decode(msg.Data)
		if err != nil {
			continue // not a revision any reader can use; the editor never writes one
		}
		later[r.ID] = r
	}
	for _, r := range later {
		if member(r) {
			return true, nil
		}
	}
	return false, nil
}

// latest is the newest revision of id and its sequence; nil and 0 when id has none.
func latest(ctx context.Context, stream jetstream.Stream, id string) (*bulletin.Revision, uint64, error) {
	subject, err := bus.RevisionSubject(id)
	if err != nil {
		return nil, 0, fmt.Errorf("telegram: group member: %w", err)
	}
	msg, err := stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("telegram: read %s: %w", id, err)
	}
	r, err := bus.Decode(msg.Data)
	if err != nil {
		return nil, 0, fmt.Errorf("telegram: read %s: %w", id, err)
	}
	return r, msg.Sequence, nil
}

// skip takes down whatever an earlier delivery of b left showing (a post made before
// the group's version in TELEGRAM_LANG existed, or before the setting), then skips.
func (ch *Channel) skip(ctx context.Context, job delivery.Job, reason string) error {
	b := job.Revision.Bulletin
	cur, err := ch.current(ctx, job)
	if err != nil {
		return err
	}
	for _, chat := range distinct(cur.Chat, ch.cfg.chatFor(b.Lang)) {
		if _, _, err := ch.settle(ctx, chat, b.ID, &cur, true); err != nil {
			return err
		}
	}
	if err := ch.takeDown(ctx, b, &cur, tghtml.Withdrawn); err != nil {
		return err
	}
	return delivery.Skip(reason)
}
