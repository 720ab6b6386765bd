package poster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/tghtml"
)

// DeleteWindow is how long after sending Telegram lets a bot delete a channel post.
// Older posts are edited to a notice instead (tghtml.Notice): "withdrawn" only when the
// bulletin is; "updated" when it was posted afresh or got shorter.
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
// withdrawn, and so are the "updated" notices earlier re-posts left (the post they
// point to goes now). It takes down whatever the journal says is shown, whatever the
// delivery record says (a dead delivery may have left parts), and a send of the
// bulletin whose outcome is unknown is looked for first, so that it goes too.
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
	return ch.takeDown(ctx, b, &cur, tghtml.Withdrawn)
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
	watch := ch.watchLink(ctx, b)
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
		if err := ch.takeDown(ctx, b, &cur, tghtml.Withdrawn); err != nil {
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
		if err := ch.takeDown(ctx, b, &cur, tghtml.Reposted); err != nil {
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
		if done, err := ch.updatePart(ctx, b, &cur, i, photo, html, "edit "+what); err != nil || done {
			if err != nil {
				return delivery.Ref{}, err
			}
			continue
		}
		if err := ch.sendPart(ctx, cl, b.ID, &cur, i, photo, html, "send "+what); err != nil {
			return delivery.Ref{}, ch.rollback(ctx, job, &cur, err)
		}
	}
	if err := ch.drop(ctx, b, &cur, len(parts), tghtml.Shortened); err != nil {
		return delivery.Ref{}, err
	}
	if cur.Link != watch {
		cur.Link = watch
		if err := ch.save(ctx, b.ID, cur); err != nil {
			return delivery.Ref{}, err
		}
	}
	ref = ch.ref(cur)
	ref.Note = joinNotes(acc.note, photoNote(cur.Posts), noticeNote(cur.Notices))
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
	if terr := ch.takeDown(ctx, job.Revision.Bulletin, cur, tghtml.Withdrawn); terr != nil {
		ch.log.Warn("could not take down the parts already posted", "id", job.Revision.ID, "err", terr)
	}
	return err
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
