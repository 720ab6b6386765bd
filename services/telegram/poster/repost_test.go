package poster_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/delivery"
)

// messageTexts is what chat shows, message id → text.
func (e *env) messageTexts(chat string) map[int]string {
	out := map[int]string{}
	for _, m := range e.sb.Messages(chat) {
		out[m.ID] = m.Text
	}
	return out
}

// TestRepostLeavesAnUpdatedNoticeNotAWithdrawnOne: a correction that adds (or removes)
// the first image posts the bulletin afresh; a post older than 48 hours, which Telegram
// no longer deletes, must tell citizens the bulletin was updated — never that it was
// withdrawn while it is live right below. Only the retraction says withdrawn.
func TestRepostLeavesAnUpdatedNoticeNotAWithdrawnOne(t *testing.T) {
	tests := []struct {
		lang, chat              string
		updated, newMsg, gone   string
		withdrawnWord, notWords string
	}{
		{"ca", chatCA, "Avís actualitzat", "Vegeu el missatge nou", "Avís retirat", "retirat", "vigent"},
		{"es", chatES, "Aviso actualizado", "Vea el mensaje nuevo", "Aviso retirado", "retirado", "vigente"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			e := newEnv(t, sandbox.Config{})
			e.start(e.config())
			e.publish("mascaretes", tt.lang, "Mascaretes", "Dilluns als barris.")
			e.wait("mascaretes", 1, delivery.Delivered)
			e.clk.Advance(49 * time.Hour)

			// The image is added: a text message cannot become a photo.
			e.publish("mascaretes", tt.lang, "Mascaretes", "![Repartiment]("+photoA+")\n\nDimarts als barris.")
			rec := e.wait("mascaretes", 2, delivery.Delivered)
			shows := e.messageTexts(tt.chat)
			old := shows[1]
			if !strings.Contains(old, tt.updated) || !strings.Contains(old, tt.newMsg) || !strings.Contains(old, "Mascaretes") {
				t.Errorf("the old post says %q; want %q, %q and the title", old, tt.updated, tt.newMsg)
			}
			if strings.Contains(strings.ToLower(old), tt.withdrawnWord) || strings.Contains(strings.ToLower(old), tt.notWords) {
				t.Errorf("the old post says the live bulletin is withdrawn: %q", old)
			}
			msgs := e.sb.Messages(tt.chat)
			if len(msgs) != 2 || msgs[1].ID != 2 || msgs[1].Photo != photoA || !strings.Contains(msgs[1].Text, "Dimarts") {
				t.Fatalf("chat shows %+v; want the notice, then the bulletin as a photo", msgs)
			}
			if !slices.Equal(rec.Ref.IDs, []string{"2"}) || !strings.Contains(rec.Ref.Note, "message 1 ") || !strings.Contains(rec.Ref.Note, "updated") {
				t.Errorf("record ids %v, note %q; want [2] and a note that message 1 shows an updated notice", rec.Ref.IDs, rec.Ref.Note)
			}
			for _, r := range e.sb.Requests() {
				if r.Method == "deleteMessage" && r.Message == 1 {
					t.Errorf("tried to delete the post older than 48 hours")
				}
			}

			// The image goes again (the photo is recent: deleted), the notice stays.
			e.publish("mascaretes", tt.lang, "Mascaretes", "Dimecres als barris.")
			rec = e.wait("mascaretes", 3, delivery.Delivered)
			shows = e.messageTexts(tt.chat)
			if len(shows) != 2 || !strings.Contains(shows[1], tt.updated) || !strings.Contains(shows[3], "Dimecres") {
				t.Fatalf("after removing the image the chat shows %v", shows)
			}
			if !strings.Contains(rec.Ref.Note, "message 1 ") {
				t.Errorf("the record forgot the notice left in message 1: %q", rec.Ref.Note)
			}

			// Retracted: the bulletin goes, and the notice, which pointed to it, says so.
			if _, err := e.pub.Retract(t.Context(), "mascaretes", "test"); err != nil {
				t.Fatal(err)
			}
			e.wait("mascaretes", 4, delivery.Retracted)
			shows = e.messageTexts(tt.chat)
			if len(shows) != 1 || !strings.Contains(shows[1], tt.gone) || strings.Contains(shows[1], tt.updated) {
				t.Errorf("after the retraction the chat shows %v; want only message 1, saying %q", shows, tt.gone)
			}
		})
	}
}

// TestShortenedBulletinLeavesAnUpdatedNotice: a correction that needs fewer messages
// edits the first parts in place; an extra part older than 48 hours says the bulletin
// was updated, not withdrawn.
func TestShortenedBulletinLeavesAnUpdatedNotice(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.start(e.config())
	e.publish("guia", "ca", "Guia", longBody(2))
	e.wait("guia", 1, delivery.Delivered)
	if n := len(e.sb.Messages(chatCA)); n < 2 {
		t.Fatalf("%d messages, want a bulletin in several parts", n)
	}
	e.clk.Advance(49 * time.Hour)
	e.publish("guia", "ca", "Guia", "Ara en un sol missatge.")
	rec := e.wait("guia", 2, delivery.Delivered)
	shows := e.messageTexts(chatCA)
	if !strings.Contains(shows[1], "Ara en un sol missatge") {
		t.Errorf("the first part was not edited in place: %q", shows[1])
	}
	for id, text := range shows {
		if id == 1 {
			continue
		}
		if !strings.Contains(text, "Avís actualitzat") || strings.Contains(text, "retirat") {
			t.Errorf("extra part %d says %q; want an updated notice, never withdrawn", id, text)
		}
	}
	if !slices.Equal(rec.Ref.IDs, []string{"1"}) || !strings.Contains(rec.Ref.Note, "updated") {
		t.Errorf("record ids %v, note %q", rec.Ref.IDs, rec.Ref.Note)
	}
}

// TestUnfetchableImageOnAnOldPhotoLeavesAnUpdatedNotice: the photo cannot become text,
// so a new image Telegram cannot fetch posts the bulletin afresh as text; the old photo,
// which can no longer be deleted, says updated in its caption.
func TestUnfetchableImageOnAnOldPhotoLeavesAnUpdatedNotice(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.start(e.config())
	e.publish("mascaretes", "ca", "Mascaretes", "![Repartiment]("+photoA+")\n\nDilluns als barris.")
	e.wait("mascaretes", 1, delivery.Delivered)
	e.clk.Advance(49 * time.Hour)
	broken := "https://imatges.paeria.invalid/mascaretes.jpg"
	e.publish("mascaretes", "ca", "Mascaretes", "![Repartiment]("+broken+")\n\nDimarts als barris.")
	rec := e.wait("mascaretes", 2, delivery.Delivered)
	msgs := e.sb.Messages(chatCA)
	if len(msgs) != 2 || msgs[0].Photo != photoA || msgs[1].Photo != "" || !strings.Contains(msgs[1].Text, "Dimarts") {
		t.Fatalf("chat shows %+v; want the old photo, then the bulletin as text", msgs)
	}
	if c := msgs[0].Text; !strings.Contains(c, "Avís actualitzat") || strings.Contains(c, "retirat") {
		t.Errorf("the old photo's caption says %q; want an updated notice, never withdrawn", c)
	}
	if !strings.Contains(rec.Ref.Note, "could not fetch "+broken) || !strings.Contains(rec.Ref.Note, "message 1 ") {
		t.Errorf("note %q; want the image fallback and the notice in message 1", rec.Ref.Note)
	}
}
