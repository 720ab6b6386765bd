package poster

import (
	"context"
	"fmt"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/paeria/pregoner/shared/delivery"
)

// maxProbes bounds how many message ids after an unknown send are looked at. Each probe
// is a paced edit; other administrators' posts in between are skipped, so the bound
// is how many of theirs may come between the bot's last known post and its lost one.
const maxProbes = 20

// settle reads the chat's journal entry and, when it holds an open intent — a send
// whose outcome is unknown — finds out whether that message reached the chat, adopts
// it into its bulletin's journal if it did, and closes the intent. With ownOnly set only
// an intent of bulletin id is settled. cur is bulletin id's journal, updated in place
// when the message adopted is one of its parts; own is then that message (it already
// shows own.HTML, no need to edit it).
//
// The Bot API has no idempotency key; what it has is message ids that grow by one per
// message in a channel, and an edit that answers "message is not modified" only for a
// message that exists and already shows exactly that text. So the ids after the bot's
// last known post are edited, one by one, to the text sent: "not modified" is the lost
// post, "message can't be edited" another administrator's, "message to edit not found"
// means the send never happened. That is safe only while the bot cannot edit other
// administrators' posts (else a probe could overwrite one): see rights.
func (ch *Channel) settle(ctx context.Context, chat, id string, cur *shown, ownOnly bool) (cl *chatLog, own adopted, err error) {
	cl, err = ch.posts.chat(ctx, chat)
	if err != nil {
		return nil, own, delivery.Temporary(err, 0)
	}
	in := cl.state.Intent
	if in == nil || ownOnly && in.Bulletin != id {
		return cl, own, nil
	}
	s := *cur
	if in.Bulletin != id {
		if s, _, err = ch.posts.get(ctx, in.Bulletin); err != nil {
			return nil, own, delivery.Temporary(err, 0)
		}
	}
	found, recorded, err := ch.find(ctx, chat, in, s)
	if err != nil {
		return nil, own, err
	}
	if found > 0 && !recorded {
		if err := ch.adopt(ctx, chat, in, &s, found); err != nil {
			return nil, own, err
		}
		if in.Bulletin == id {
			*cur, own = s, adopted{ID: found, HTML: in.HTML}
		}
	}
	cl.state.High = max(cl.state.High, found)
	cl.state.Intent = nil
	if err := ch.posts.putChat(ctx, cl); err != nil {
		return nil, own, delivery.Temporary(err, 0)
	}
	return cl, own, nil
}

// adopted is a lost post found by probing: it shows HTML.
type adopted struct {
	ID   int
	HTML string
}

// find returns the message id of the intent's post, 0 when it never arrived or cannot
// be known; recorded is set when the bulletin's journal already holds it.
func (ch *Channel) find(ctx context.Context, chat string, in *intent, s shown) (id int, recorded bool, err error) {
	log := ch.log.With("id", in.Bulletin, "part", in.Part+1, "chat", chat)
	if in.Blind {
		log.Warn("a send's outcome is unknown and the bot knew no message of the chat before it, " +
			"so it cannot look for it safely: not looked for (if it arrived, the part may show twice)")
		return 0, false, nil
	}
	if s.Chat == chat {
		for _, p := range s.Posts {
			// No send goes to the chat while the intent is open: a post above After
			// is the intent's, recorded just before the worker stopped.
			if p.ID > in.After {
				return p.ID, true, nil
			}
		}
	}
	if acc := ch.rights.check(ctx, chat, true); !acc.probe {
		log.Warn("a send's outcome is unknown and looking for it is unsafe: not looked for "+
			"(if it arrived, the part may show twice)", "why", acc.note)
		return 0, false, nil
	}
	return ch.probe(ctx, chat, in)
}

// probe looks at the ids after in.After for the intent's post.
func (ch *Channel) probe(ctx context.Context, chat string, in *intent) (int, bool, error) {
	log := ch.log.With("id", in.Bulletin, "part", in.Part+1, "chat", chat)
	for id := in.After + 1; id <= in.After+maxProbes; id++ {
		what := fmt.Sprintf("look for part %d of %s at message %d in %s", in.Part+1, in.Bulletin, id, chat)
		err := ch.api.do(ctx, chat, what, func(ctx context.Context) error {
			if in.Photo != "" {
				// A photo: its caption is what it shows, and editing it to the
				// identical caption changes nothing.
				_, err := ch.api.bot.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: chat, MessageID: id, Caption: in.HTML, ParseMode: models.ParseModeHTML})
				return err
			}
			_, err := ch.api.bot.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat, MessageID: id, Text: in.HTML, ParseMode: models.ParseModeHTML})
			return err
		})
		switch {
		case refused(err, "message is not modified"):
			log.Info("a send whose answer was lost did reach the chat: adopted", "message", id)
			return id, false, nil
		case refused(err, "message can't be edited"),
			refused(err, "there is no caption in the message to edit"),
			refused(err, "there is no text in the message to edit"):
			continue // another administrator's post (or one of another kind than ours)
		case refused(err, "message to edit not found"):
			log.Info("a send whose answer was lost never reached the chat: sending it", "probed", id-in.After)
			return 0, false, nil
		case err == nil:
			// A post of the bot's own that showed something else, which only a post
			// made outside this journal can be (another program with the same bot). It
			// shows this part now; sending the part again would show it twice.
			log.Error("a probe edited a post of the bot that the journal did not know: adopted", "message", id)
			return id, false, nil
		default:
			return 0, false, err
		}
	}
	log.Warn("gave up looking for a send whose answer was lost: sending again (it may repeat)", "probed", maxProbes)
	return 0, false, nil
}

// adopt records the found post as part in.Part of its bulletin.
func (ch *Channel) adopt(ctx context.Context, chat string, in *intent, s *shown, id int) error {
	if s.Chat != chat && len(s.Posts) > 0 {
		ch.log.Error("found a lost post of a bulletin that shows in another chat: left as it is",
			"id", in.Bulletin, "chat", chat, "message", id, "shown in", s.Chat)
		return nil
	}
	s.Chat = chat
	i := min(max(in.Part, 0), len(s.Posts))
	s.Posts = append(s.Posts[:i], append([]post{{ID: id, SentAt: in.At, Photo: in.Photo}}, s.Posts[i:]...)...)
	return ch.save(ctx, in.Bulletin, *s)
}

// flush writes what a delivery learnt of the chat (its newest post id) once it is done.
// Losing it is harmless: the next delivery finds the post in its bulletin's journal.
func (ch *Channel) flush(ctx context.Context, cl *chatLog) {
	if cl == nil || !cl.dirty {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := ch.posts.putChat(ctx, cl); err != nil {
		ch.log.Warn("could not record the chat's newest post; the next delivery works it out", "chat", cl.chat, "err", err)
	}
}
