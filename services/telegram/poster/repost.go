package poster

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/tghtml"
)

// This file holds how a shown bulletin changes: a part edited in place, or posted
// afresh when Telegram cannot edit it into the new part, and posts taken down. A post
// older than DeleteWindow cannot be deleted: it is edited to a notice that says what
// happened to the bulletin — "withdrawn" only when it was (tghtml.Notice).

// updatePart edits the i-th post of cur in place to show html (and photo) and reports
// done. Not done (and no error): the part is to be sent — there is no i-th post, the
// post was deleted by hand, or the new first image cannot be fetched, in which case the
// bulletin was taken down to be posted afresh, its first part as text with the link.
func (ch *Channel) updatePart(ctx context.Context, b *bulletin.Bulletin, cur *shown, i int, photo, html, what string) (done bool, err error) {
	if i >= len(cur.Posts) {
		return false, nil
	}
	before := cur.Posts[i]
	err = ch.editPart(ctx, cur.Chat, &cur.Posts[i], photo, html, what)
	switch {
	case err == nil:
		if cur.Posts[i] != before {
			err = ch.save(ctx, b.ID, *cur)
		}
		return err == nil, err
	case i == 0 && unfetchable(err):
		// Telegram cannot fetch the new image: the photo cannot become text, so the
		// bulletin is posted afresh.
		return false, ch.takeDown(ctx, b, cur, tghtml.Reposted)
	case refused(err, "message to edit not found"):
		// Deleted by hand in Telegram: post it again, recorded as gone first so a lost
		// send of the new one is adopted in the right place.
		cur.Posts = append(cur.Posts[:i], cur.Posts[i+1:]...)
		return false, ch.save(ctx, b.ID, *cur)
	}
	return false, err
}

// takeDown removes every post of cur, last first, recording each as it goes; an old
// post it cannot delete shows the notice of kind. A withdrawal also turns the notices
// earlier re-posts left into withdrawn notices: the post they point to is gone.
func (ch *Channel) takeDown(ctx context.Context, b *bulletin.Bulletin, cur *shown, kind tghtml.NoticeKind) error {
	if err := ch.drop(ctx, b, cur, 0, kind); err != nil {
		return err
	}
	for kind == tghtml.Withdrawn && len(cur.Notices) > 0 {
		last := cur.Notices[len(cur.Notices)-1]
		if _, err := ch.remove(ctx, b, cur.Chat, last, kind); err != nil {
			return err
		}
		cur.Notices = cur.Notices[:len(cur.Notices)-1]
		if err := ch.save(ctx, b.ID, *cur); err != nil {
			return err
		}
	}
	return nil
}

// drop removes the posts of cur after the first keep, last first, recording each as it
// goes. A post left as an "updated" notice is kept in cur.Notices, so the record says
// it shows and a retraction turns it into a withdrawn notice.
func (ch *Channel) drop(ctx context.Context, b *bulletin.Bulletin, cur *shown, keep int, kind tghtml.NoticeKind) error {
	for len(cur.Posts) > keep {
		last := cur.Posts[len(cur.Posts)-1]
		left, err := ch.remove(ctx, b, cur.Chat, last, kind)
		if err != nil {
			return err
		}
		cur.Posts = cur.Posts[:len(cur.Posts)-1]
		if left && kind != tghtml.Withdrawn {
			cur.Notices = append(cur.Notices, last)
		}
		if err := ch.save(ctx, b.ID, *cur); err != nil {
			return err
		}
	}
	return nil
}

// remove deletes one post, or, when it is too old to delete, edits it to the notice of
// kind and reports it left. A post already gone is a success.
func (ch *Channel) remove(ctx context.Context, b *bulletin.Bulletin, chat string, p post, kind tghtml.NoticeKind) (left bool, err error) {
	what := fmt.Sprintf("remove message %d of %s in %s", p.ID, b.ID, chat)
	if ch.cfg.Now().Sub(p.SentAt) < DeleteWindow {
		err := ch.api.do(ctx, chat, what, func(ctx context.Context) error {
			_, err := ch.api.bot.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: chat, MessageID: p.ID})
			return err
		})
		switch {
		case err == nil, refused(err, "message to delete not found"):
			return false, nil
		case !refused(err, "message can't be deleted"):
			return false, err
		}
	}
	notice := ch.notice(kind, b)
	if p.Photo != "" {
		err = ch.editCaption(ctx, chat, p.ID, notice, what)
	} else {
		err = ch.edit(ctx, chat, p.ID, notice, what)
	}
	switch {
	case refused(err, "message to edit not found"):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// notice is what an old post of b shows instead of its part: a withdrawn one links the
// web page's front (the bulletin's page says it is gone), an updated one the bulletin.
func (ch *Channel) notice(kind tghtml.NoticeKind, b *bulletin.Bulletin) string {
	link := strings.TrimRight(ch.cfg.WebBaseURL, "/") + "/"
	if kind != tghtml.Withdrawn {
		link = ch.permalink(b.ID)
	}
	return tghtml.Notice(kind, b.Lang, b.Title, link)
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

// noticeNote is what a delivery record says of the old posts left as "updated" notices.
func noticeNote(notices []post) string {
	if len(notices) == 0 {
		return ""
	}
	ids := make([]string, len(notices))
	for i, p := range notices {
		ids[i] = fmt.Sprint(p.ID)
	}
	if len(ids) == 1 {
		return "message " + ids[0] + " is older than 48 hours and could not be deleted: it now says the bulletin was updated and points to the current post"
	}
	return "messages " + strings.Join(ids, ", ") + " are older than 48 hours and could not be deleted: they now say the bulletin was updated and point to the current post"
}
