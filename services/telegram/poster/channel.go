package poster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/tghtml"
)

// DeleteWindow is how long after sending Telegram lets a bot delete a channel post.
// Older posts are edited to a "withdrawn" notice instead.
const DeleteWindow = 48 * time.Hour

// Channel carries bulletins to Telegram chats; it implements delivery.Channel. A
// bulletin longer than one message is split into parts, each valid on its own; every
// part's message id is recorded as soon as it is sent, so a retry resumes instead of
// repeating parts, and a send whose answer was lost is looked for before it is sent
// again (see settle). It is safe for concurrent use.
type Channel struct {
	cfg    Config
	api    *client
	render *tghtml.Renderer
	posts  *posts
	rights *rights
	log    *slog.Logger
	// postURL links to a message where citizens see it ("" when there is no such link).
	postURL func(chat string, id int) string
	// group finds a translation's group version in Lang (see translationSkip); known
	// is which members in Lang this process has recorded.
	group *group
	known known
	// records reads the YouTube delivery records, for a live broadcast's link (nil:
	// no link is looked up).
	records *delivery.Store
}

// Deliver posts a bulletin, resuming a delivery that an earlier attempt began.
func (ch *Channel) Deliver(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	return ch.show(ctx, job)
}

// Update edits every part in place; extra parts are sent, parts no longer needed are
// deleted. An unchanged part ("message is not modified") is a success.
func (ch *Channel) Update(ctx context.Context, job delivery.Job) (delivery.Ref, error) {
	return ch.show(ctx, job)
}

// Retract deletes the bulletin's posts, last part first; posts older than 48 hours,
// which Telegram no longer deletes, are edited to a notice that the bulletin was
// withdrawn. It takes down whatever the journal says is shown, whatever the delivery
// record says (a dead delivery may have left parts), and a send of the bulletin whose
// outcome is unknown is looked for first, so that it goes too.
func (ch *Channel) Retract(ctx context.Context, job delivery.Job) error {
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
	return ch.takeDown(ctx, b, &cur)
}

// current is what the chat shows of the job's bulletin.
func (ch *Channel) current(ctx context.Context, job delivery.Job) (shown, error) {
	if job.Prev.Rev == 0 && !job.Retry {
		// Never handled before and no earlier attempt: nothing can be showing yet.
		return shown{}, nil
	}
	s, ok, err := ch.posts.get(ctx, job.Revision.ID)
	if err != nil {
		return shown{}, delivery.Temporary(err, 0)
	}
	if !ok && job.Prev.Carried > 0 {
		// No journal (a bucket restored from elsewhere): trust the delivery record.
		s.Chat = job.Prev.Ref.Target
		for _, v := range job.Prev.Ref.IDs {
			if id, err := strconv.Atoi(v); err == nil {
				s.Posts = append(s.Posts, post{ID: id, SentAt: job.Prev.Ref.SentAt})
			}
		}
	}
	return s, nil
}

func (ch *Channel) show(ctx context.Context, job delivery.Job) (ref delivery.Ref, err error) {
	b := job.Revision.Bulletin
	if reason, err := ch.translation(ctx, b); err != nil || reason != "" {
		if err == nil {
			err = ch.skip(ctx, job, reason)
		}
		return delivery.Ref{}, err
	}
	chat := ch.cfg.chatFor(b.Lang)
	watch, err := ch.watchLink(ctx, b)
	if err != nil {
		return delivery.Ref{}, err
	}
	rendered := ch.render.Post(b, ch.permalink(b.ID), watch)
	parts := rendered.Parts
	cur, err := ch.current(ctx, job)
	if err != nil {
		return delivery.Ref{}, err
	}
	acc := ch.rights.check(ctx, chat, false)
	defer func() {
		if err != nil {
			err = ch.showing(err, cur, len(parts), acc.note)
		}
	}()
	if cur.Chat != "" && cur.Chat != chat {
		// The bulletin's language changed, and with it the chat: take it down there,
		// with any send there whose outcome was unknown.
		if _, _, err := ch.settle(ctx, cur.Chat, b.ID, &cur, true); err != nil {
			return delivery.Ref{}, err
		}
		if err := ch.takeDown(ctx, b, &cur); err != nil {
			return delivery.Ref{}, err
		}
	}
	// Nothing goes to the chat before every send there whose outcome is unknown (this
	// bulletin's or another's) is settled.
	cl, found, err := ch.settle(ctx, chat, b.ID, &cur, false)
	if err != nil {
		return delivery.Ref{}, err
	}
	defer ch.flush(ctx, cl)
	cur.Chat = chat
	if restart(cur.Posts, rendered.Photo) {
		// The first image was added or removed: posted afresh, in order.
		if err := ch.takeDown(ctx, b, &cur); err != nil {
			return delivery.Ref{}, err
		}
	}
	for i, html := range parts {
		what := fmt.Sprintf("part %d/%d of %s in %s", i+1, len(parts), b.ID, chat)
		photo := ""
		if i == 0 {
			photo = rendered.Photo
		}
		if i < len(cur.Posts) && cur.Posts[i].ID == found.ID && html == found.HTML && cur.Posts[i].Photo == photo {
			continue // just found showing exactly this
		}
		if i < len(cur.Posts) {
			before := cur.Posts[i]
			err := ch.editPart(ctx, chat, &cur.Posts[i], photo, html, "edit "+what)
			switch {
			case err == nil:
				if cur.Posts[i] != before {
					if err := ch.save(ctx, b.ID, cur); err != nil {
						return delivery.Ref{}, err
					}
				}
				continue
			case i == 0 && unfetchable(err):
				// Telegram cannot fetch the new image: the photo cannot become text, so
				// the bulletin is posted afresh, its first part as text with the link.
				err = ch.takeDown(ctx, b, &cur)
			case refused(err, "message to edit not found"):
				// Deleted by hand in Telegram: post it again, recorded as gone first so a
				// lost send of the new one is adopted in the right place.
				cur.Posts = append(cur.Posts[:i], cur.Posts[i+1:]...)
				err = ch.save(ctx, b.ID, cur)
			}
			if err != nil {
				return delivery.Ref{}, err
			}
		}
		if err := ch.sendPart(ctx, cl, b.ID, &cur, i, photo, html, "send "+what); err != nil {
			return delivery.Ref{}, ch.rollback(ctx, job, &cur, err)
		}
	}
	for len(cur.Posts) > len(parts) {
		last := cur.Posts[len(cur.Posts)-1]
		if err := ch.remove(ctx, b, chat, last); err != nil {
			return delivery.Ref{}, err
		}
		cur.Posts = cur.Posts[:len(cur.Posts)-1]
		if err := ch.save(ctx, b.ID, cur); err != nil {
			return delivery.Ref{}, err
		}
	}
	if cur.Link != watch {
		cur.Link = watch
		if err := ch.save(ctx, b.ID, cur); err != nil {
			return delivery.Ref{}, err
		}
	}
	ref = ch.ref(cur)
	ref.Note = joinNotes(acc.note, photoNote(cur.Posts))
	return ref, nil
}

// sendPart sends one part as the i-th post and records it at once. The chat's intent is
// written first, so that if the answer never comes the next attempt looks for the
// message instead of sending it again.
//
// With photo set the part goes as that photo with html as its caption; when Telegram
// cannot fetch the image, it goes as a text message instead (html carries the image's
// link) and the post records the image as its Fallback.
func (ch *Channel) sendPart(ctx context.Context, cl *chatLog, id string, cur *shown, i int, photo, html, what string) error {
	cl.state.Intent = &intent{Bulletin: id, Part: i, HTML: html, Photo: photo, After: cl.state.High,
		Blind: cl.state.High == 0, At: ch.cfg.Now().UTC()}
	if err := ch.posts.putChat(ctx, cl); err != nil {
		cl.state.Intent = nil
		return delivery.Temporary(err, 0)
	}
	var msgID int
	var last error // the last call's own error: did Telegram answer?
	tried := false
	err := ch.api.do(ctx, cur.Chat, what, func(ctx context.Context) error {
		tried = true
		msgID, last = ch.sendCall(ctx, cur.Chat, photo, html)
		return last
	})
	if photo != "" && unfetchable(err) {
		ch.log.Warn("Telegram could not fetch the bulletin's first image: sending its part as text", "id", id, "photo", photo, "err", err)
		cl.state.Intent, cl.dirty = nil, true
		if err := ch.sendPart(ctx, cl, id, cur, i, "", html, what); err != nil {
			return err
		}
		cur.Posts[i].Fallback = photo
		return ch.save(ctx, id, *cur)
	}
	if err != nil {
		if !tried || definite(last) {
			// Telegram answered (a refusal, a 429) or was never asked: nothing to look for.
			cl.state.Intent, cl.dirty = nil, true
		} else {
			ch.log.Warn("no answer to a send: the next attempt looks for the message before sending it again",
				"id", id, "part", i+1, "chat", cur.Chat, "after", cl.state.Intent.After, "err", err)
		}
		return err
	}
	p := post{ID: msgID, SentAt: ch.cfg.Now().UTC(), Photo: photo}
	cur.Posts = append(cur.Posts[:i], append([]post{p}, cur.Posts[i:]...)...)
	if err := ch.save(ctx, id, *cur); err != nil {
		return err // the intent stays open: the next attempt finds the message by probing
	}
	cl.state.High, cl.state.Intent, cl.dirty = msgID, nil, true
	return nil
}

// rollback takes down what a first delivery posted before Telegram refused a part for
// good, so the channel never shows half a bulletin that no record points to.
func (ch *Channel) rollback(ctx context.Context, job delivery.Job, cur *shown, err error) error {
	var perm *delivery.PermanentError
	if !errors.As(err, &perm) || job.Prev.Carried > 0 || len(cur.Posts) == 0 {
		return err
	}
	if terr := ch.takeDown(ctx, job.Revision.Bulletin, cur); terr != nil {
		ch.log.Warn("could not take down the parts already posted", "id", job.Revision.ID, "err", terr)
	}
	return err
}

// edit replaces a message's text; an unchanged text is a success.
func (ch *Channel) edit(ctx context.Context, chat string, id int, html, what string) error {
	err := ch.api.do(ctx, chat, what, func(ctx context.Context) error {
		_, err := ch.api.bot.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat, MessageID: id, Text: html, ParseMode: models.ParseModeHTML})
		return err
	})
	if refused(err, "message is not modified") {
		return nil
	}
	return err
}

// takeDown removes every post of cur, last first, recording each as it goes.
func (ch *Channel) takeDown(ctx context.Context, b *bulletin.Bulletin, cur *shown) error {
	for len(cur.Posts) > 0 {
		last := cur.Posts[len(cur.Posts)-1]
		if err := ch.remove(ctx, b, cur.Chat, last); err != nil {
			return err
		}
		cur.Posts = cur.Posts[:len(cur.Posts)-1]
		if err := ch.save(ctx, b.ID, *cur); err != nil {
			return err
		}
	}
	return nil
}

// remove deletes one post, or edits it to the withdrawn notice when it is too old to
// delete. A post already gone is a success.
func (ch *Channel) remove(ctx context.Context, b *bulletin.Bulletin, chat string, p post) error {
	what := fmt.Sprintf("remove message %d of %s in %s", p.ID, b.ID, chat)
	if ch.cfg.Now().Sub(p.SentAt) < DeleteWindow {
		err := ch.api.do(ctx, chat, what, func(ctx context.Context) error {
			_, err := ch.api.bot.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: chat, MessageID: p.ID})
			return err
		})
		switch {
		case err == nil, refused(err, "message to delete not found"):
			return nil
		case !refused(err, "message can't be deleted"):
			return err
		}
	}
	var err error
	if p.Photo != "" {
		err = ch.editCaption(ctx, chat, p.ID, ch.notice(b), what)
	} else {
		err = ch.edit(ctx, chat, p.ID, ch.notice(b), what)
	}
	if refused(err, "message to edit not found") {
		return nil
	}
	return err
}

// notice is what an old post shows once its bulletin is withdrawn.
func (ch *Channel) notice(b *bulletin.Bulletin) string {
	head, body, more := "Avís retirat", "Aquest avís ja no és vigent.", "Informació actualitzada:"
	switch b.Lang {
	case "es":
		head, body, more = "Aviso retirado", "Este aviso ya no está vigente.", "Información actualizada:"
	case "en":
		head, body, more = "Notice withdrawn", "This notice no longer applies.", "Up-to-date information:"
	}
	base := tghtml.Escape(strings.TrimRight(ch.cfg.WebBaseURL, "/") + "/")
	return fmt.Sprintf("❌ <b>%s</b>\n\n<s>%s</s>\n\n%s %s <a href=\"%s\">%s</a>",
		head, tghtml.Escape(b.Title), body, more, base, base)
}

func (ch *Channel) save(ctx context.Context, id string, s shown) error {
	// Recorded even while shutting down: the message exists now, whatever happens next.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := ch.posts.put(ctx, id, s); err != nil {
		ch.log.Error("posted to Telegram but could not record it; a retry may repeat the post", "id", id, "err", err)
		return delivery.Temporary(err, 0)
	}
	return nil
}

func (ch *Channel) permalink(id string) string {
	return strings.TrimRight(ch.cfg.WebBaseURL, "/") + "/bulletins/" + id
}

// showing marks an error after which the chat still shows parts of the bulletin, with
// what it shows, keeping the error's class (temporary or permanent) outermost.
func (ch *Channel) showing(err error, cur shown, parts int, note string) error {
	if len(cur.Posts) == 0 {
		return err
	}
	ref := ch.ref(cur)
	ref.Note = note
	ids := strings.Join(ref.IDs, ", ")
	what := fmt.Sprintf("part 1 of %d (message %s)", max(parts, 1), ids)
	if n := len(cur.Posts); n > 1 {
		what = fmt.Sprintf("parts 1–%d of %d (messages %s)", n, max(parts, n), ids)
	}
	var perm *delivery.PermanentError
	var temp *delivery.TemporaryError
	switch {
	case errors.As(err, &perm):
		return delivery.Permanent(delivery.Showing(err, ref, what))
	case errors.As(err, &temp):
		return delivery.Temporary(delivery.Showing(err, ref, what), temp.RetryAfter)
	}
	return delivery.Showing(err, ref, what)
}

func (ch *Channel) ref(s shown) delivery.Ref {
	// Sandbox marks every reference of a sandbox's post, so its records say so and the
	// public page never links the sandbox.
	ref := delivery.Ref{Target: s.Chat, Sandbox: ch.cfg.Sandbox}
	for _, p := range s.Posts {
		ref.IDs = append(ref.IDs, strconv.Itoa(p.ID))
	}
	if len(s.Posts) > 0 {
		ref.SentAt = s.Posts[0].SentAt
		ref.URL = ch.postURL(s.Chat, s.Posts[0].ID)
	}
	return ref
}

// distinct lists the non-empty chats among a and b, once each.
func distinct(a, b string) []string {
	switch {
	case a == "" || a == b:
		return []string{b}
	case b == "":
		return []string{a}
	}
	return []string{a, b}
}

// publicPostURL is t.me's link to a post in a public channel.
func publicPostURL(chat string, id int) string {
	if name, ok := strings.CutPrefix(chat, "@"); ok {
		return "https://t.me/" + name + "/" + strconv.Itoa(id)
	}
	return ""
}
