package sandbox_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/paeria/pregoner/services/telegram/sandbox"
)

const photoURL = "https://www.paeria.cat/img/mascaretes.jpg"

func sendPhoto(b *bot.Bot, chat, photo, caption string) (int, error) {
	m, err := b.SendPhoto(context.Background(), &bot.SendPhotoParams{ChatID: chat, Photo: &models.InputFileString{Data: photo}, Caption: caption, ParseMode: "HTML"})
	if err != nil {
		return 0, err
	}
	return m.ID, nil
}

// TestPhotosAsTheBotAPIHasThem drives sendPhoto, editMessageCaption and
// editMessageMedia with the real client and checks each answer Telegram gives.
func TestPhotosAsTheBotAPIHasThem(t *testing.T) {
	sb, _, b := start(t, sandbox.Config{})
	ctx := context.Background()
	const chat = "@lapaeriaexplica"
	atLimit := "<b>" + strings.Repeat("a", 1000) + "</b>" + strings.Repeat("&amp;", 24) // 1024 after parsing
	id, err := sendPhoto(b, chat, photoURL, atLimit)
	if err != nil {
		t.Fatalf("a caption of 1024 after entity parsing: %v", err)
	}
	if _, err := sendPhoto(b, chat, photoURL, atLimit+"a"); err == nil || !strings.Contains(err.Error(), "message caption is too long") {
		t.Errorf("1025: %v, want message caption is too long", err)
	}
	text, _ := send(b, chat, "Text")
	colleague := sb.PostByHand(chat, "<b>Premsa</b>")

	caption := func(msg int, html string) error {
		_, err := b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: chat, MessageID: msg, Caption: html, ParseMode: "HTML"})
		return err
	}
	media := func(msg int, photo, html string) error {
		_, err := b.EditMessageMedia(ctx, &bot.EditMessageMediaParams{ChatID: chat, MessageID: msg,
			Media: &models.InputMediaPhoto{Media: photo, Caption: html, ParseMode: "HTML"}})
		return err
	}
	tests := []struct {
		name string
		call func() error
		want string // "" for success
	}{
		{"same_caption", func() error { return caption(id, atLimit) }, "message is not modified"},
		{"caption_of_a_text", func() error { return caption(text, "x") }, "there is no caption in the message to edit"},
		{"caption_of_a_colleague", func() error { return caption(colleague, "<b>Premsa</b>") }, "message can't be edited"},
		{"caption_not_found", func() error { return caption(99, "x") }, "message to edit not found"},
		{"text_of_a_photo", func() error {
			_, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat, MessageID: id, Text: "x"})
			return err
		}, "there is no text in the message to edit"},
		{"caption_too_long", func() error { return caption(id, atLimit+"a") }, "message caption is too long"},
		{"new_caption", func() error { return caption(id, "<b>Nou</b>") }, ""},
		{"unfetchable_photo", func() error { return media(id, "https://x.invalid/a.jpg", "Nou") }, "failed to get HTTP URL content"},
		{"not_a_url", func() error { return media(id, "no és una adreça", "Nou") }, "wrong file identifier/HTTP URL specified"},
		{"same_media", func() error { return media(id, photoURL, "<b>Nou</b>") }, "message is not modified"},
		{"new_photo", func() error { return media(id, "https://www.paeria.cat/img/b.jpg", "Altre") }, ""},
		{"media_of_a_text", func() error { return media(text, photoURL, "x") }, "there is no media in the message to edit"},
		{"send_unfetchable", func() error { _, err := sendPhoto(b, chat, "https://x.invalid/a.jpg", "x"); return err }, "failed to get HTTP URL content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	msgs := sb.Messages(chat)
	if len(msgs) != 3 || msgs[0].Photo != "https://www.paeria.cat/img/b.jpg" || msgs[0].Text != "Altre" {
		t.Errorf("the chat shows %+v; want the photo replaced with its new caption and nothing else sent", msgs)
	}
}

func TestLostSendPhotoReplyIsCarriedOut(t *testing.T) {
	sb, _, b := start(t, sandbox.Config{})
	sb.LoseReplies(sandbox.Loss{Method: "sendPhoto", Next: 1})
	if _, err := sendPhoto(b, "@c", photoURL, "Hola"); err == nil {
		t.Fatal("the lost reply was answered")
	}
	if msgs := sb.Messages("@c"); len(msgs) != 1 || msgs[0].Photo != photoURL {
		t.Fatalf("chat shows %+v, want the photo posted", msgs)
	}
	if _, err := b.EditMessageCaption(context.Background(), &bot.EditMessageCaptionParams{ChatID: "@c", MessageID: 1, Caption: "Hola", ParseMode: "HTML"}); err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("probe of the lost photo: %v, want message is not modified", err)
	}
}

func TestBadMediaIsRefusedAndChangesNothing(t *testing.T) {
	sb, srv, b := start(t, sandbox.Config{})
	if _, err := sendPhoto(b, "@c", photoURL, "Hola"); err != nil {
		t.Fatal(err)
	}
	for _, media := range []string{"no és JSON", `{"media":"` + photoURL + `"}`, `{"type":"video","media":"` + photoURL + `"}`} {
		resp, err := http.PostForm(srv.URL+"/bot"+token+"/editMessageMedia", url.Values{"chat_id": {"@c"}, "message_id": {"1"}, "media": {media}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Bad Request") {
			t.Errorf("media %q: %d %s, want a 400 that says why", media, resp.StatusCode, body)
		}
	}
	if msgs := sb.Messages("@c"); len(msgs) != 1 || msgs[0].Photo != photoURL || msgs[0].Text != "Hola" || !msgs[0].Edited.IsZero() {
		t.Errorf("the photo changed: %+v", msgs)
	}
}
