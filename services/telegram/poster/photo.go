package poster

import (
	"context"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// restart reports whether a bulletin shown as posts must be posted afresh to show
// photo ("" for none) as its first image: Telegram cannot turn a text message into a
// photo or a photo into text, so adding or removing the image takes the posts down
// and sends them again, in order. A part already sent as text because Telegram could
// not fetch that very image (Fallback) stays text.
func restart(posts []post, photo string) bool {
	if len(posts) == 0 {
		return false
	}
	if p := posts[0]; p.Photo != "" {
		return photo == ""
	} else {
		return photo != "" && photo != p.Fallback
	}
}

// photoRefusals are the Bot API's answers to a photo it cannot get or use from its
// URL: not found, not an image, too big, dimensions or format it will not take.
var photoRefusals = []string{
	"wrong file identifier/HTTP URL specified",
	"wrong remote file identifier specified",
	"failed to get HTTP URL content",
	"wrong type of the web page content",
	"IMAGE_PROCESS_FAILED",
	"PHOTO_INVALID_DIMENSIONS",
	"PHOTO_SAVE_FILE_INVALID",
	"PHOTO_EXT_INVALID",
	"file is too big",
}

// unfetchable reports whether Telegram refused a photo because it could not get or
// use it from its URL: the part then goes as text with the image's link.
func unfetchable(err error) bool {
	for _, text := range photoRefusals {
		if refused(err, text) {
			return true
		}
	}
	return false
}

// editPart updates one post in place to show html (and, for a photo, the image photo):
// a text message's text, a photo's caption, or, when the image changed, the photo and
// its caption at once. p is updated to what the post shows; an unchanged post ("message
// is not modified") is a success.
func (ch *Channel) editPart(ctx context.Context, chat string, p *post, photo, html, what string) error {
	switch {
	case p.Photo == "":
		if err := ch.edit(ctx, chat, p.ID, html, what); err != nil {
			return err
		}
		p.Fallback = photo
		return nil
	case p.Photo == photo:
		return ch.editCaption(ctx, chat, p.ID, html, what)
	}
	err := ch.api.do(ctx, chat, what, func(ctx context.Context) error {
		_, err := ch.api.bot.EditMessageMedia(ctx, &bot.EditMessageMediaParams{ChatID: chat, MessageID: p.ID,
			Media: &models.InputMediaPhoto{Media: photo, Caption: html, ParseMode: models.ParseModeHTML}})
		return err
	})
	if err != nil && !refused(err, "message is not modified") {
		return err
	}
	p.Photo = photo
	return nil
}

// editCaption replaces a photo's caption; an unchanged caption is a success.
func (ch *Channel) editCaption(ctx context.Context, chat string, id int, html, what string) error {
	err := ch.api.do(ctx, chat, what, func(ctx context.Context) error {
		_, err := ch.api.bot.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: chat, MessageID: id, Caption: html, ParseMode: models.ParseModeHTML})
		return err
	})
	if refused(err, "message is not modified") {
		return nil
	}
	return err
}

// sendCall is the Bot API call that sends one part: a photo with html as its caption,
// or a text message.
func (ch *Channel) sendCall(ctx context.Context, chat, photo, html string) (int, error) {
	if photo != "" {
		m, err := ch.api.bot.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chat, Photo: &models.InputFileString{Data: photo},
			Caption: html, ParseMode: models.ParseModeHTML})
		if err != nil {
			return 0, err
		}
		return m.ID, nil
	}
	m, err := ch.api.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: html, ParseMode: models.ParseModeHTML})
	if err != nil {
		return 0, err
	}
	return m.ID, nil
}

// photoNote is what a delivery record says when the first image could not be shown as
// a photo.
func photoNote(posts []post) string {
	if len(posts) == 0 || posts[0].Fallback == "" {
		return ""
	}
	return "image not shown as a photo: Telegram could not fetch " + posts[0].Fallback +
		" (the first message is text with the image's link); check that the URL is public"
}

// joinNotes joins the non-empty notes of a record.
func joinNotes(notes ...string) string {
	out := ""
	for _, n := range notes {
		switch {
		case n == "":
		case out == "":
			out = n
		default:
			out += "; " + n
		}
	}
	return out
}
