package poster_test

import (
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/tghtml"
)

const (
	photoA = "https://www.paeria.cat/img/mascaretes.jpg"
	photoB = "https://www.paeria.cat/img/mercat-del-pla.jpg"
)

// captionBody is a body with photo whose rendered text (title "Mascaretes", the
// permalink of id) is exactly units UTF-16 units after entity parsing.
func captionBody(t *testing.T, id, photo string, units int) string {
	t.Helper()
	r := tghtml.NewRenderer(webBase)
	body := func(n int) string {
		return "![Repartiment](" + photo + ")\n\nLa Paeria reparteix mascaretes als barris 😷 " + strings.Repeat("x", n)
	}
	// One x, not none: a trailing space would not count.
	b := &bulletin.Bulletin{ID: id, Title: "Mascaretes", Lang: "ca", Body: body(1)}
	m, err := tghtml.Validate(r.Render(b, webBase+"/bulletins/"+id), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return body(units - m.Units + 1)
}

func TestFirstImageGoesAsAPhotoWithItsCaption(t *testing.T) {
	tests := []struct {
		name  string
		units int // of the whole rendered text
		parts int // messages in the chat
	}{
		{"caption_at_the_limit", tghtml.MaxCaption, 1},
		{"one_over_the_limit", tghtml.MaxCaption + 1, 2},
		{"long", 3000, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Config{})
			e.start(e.config())
			e.publish("mascaretes", "ca", "Mascaretes", captionBody(t, "mascaretes", photoA, tt.units))
			rec := e.wait("mascaretes", 1, delivery.Delivered)
			msgs := e.sb.Messages(chatCA)
			if len(msgs) != tt.parts || len(rec.Ref.IDs) != tt.parts {
				t.Fatalf("%d messages, record ids %v; want %d", len(msgs), rec.Ref.IDs, tt.parts)
			}
			first := msgs[0]
			if first.Photo != photoA {
				t.Errorf("first message photo = %q, want %q", first.Photo, photoA)
			}
			if !strings.HasPrefix(first.Text, "Mascaretes\n\n") || !strings.Contains(first.Text, "La Paeria reparteix") {
				t.Errorf("caption does not start with the title and the body: %q", first.Text)
			}
			if n := tghtml.Units(first.Text); n > tghtml.MaxCaption {
				t.Errorf("caption is %d units, over %d", n, tghtml.MaxCaption)
			}
			for _, m := range msgs[1:] {
				if m.Photo != "" {
					t.Errorf("message %d is a photo too", m.ID)
				}
			}
			if tt.parts > 1 && (!strings.HasSuffix(first.Text, "(1/2)") || !strings.HasSuffix(msgs[1].Text, "(2/2)")) {
				t.Errorf("parts not numbered: %q … %q", first.Text[len(first.Text)-8:], msgs[1].Text[len(msgs[1].Text)-8:])
			}
			if n, _ := e.requests("sendPhoto"); n != 1 {
				t.Errorf("%d sendPhoto requests, want 1", n)
			}
		})
	}
}

func TestLostSendPhotoReplyPostsOnce(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.start(e.config())
	e.publish("primer", "ca", "Primer", "Text.")
	e.wait("primer", 1, delivery.Delivered)
	e.sb.LoseReplies(sandbox.Loss{Method: "sendPhoto", Next: 1})
	e.publish("mascaretes", "ca", "Mascaretes", captionBody(t, "mascaretes", photoA, 2000))
	rec := e.wait("mascaretes", 1, delivery.Delivered)
	if e.lost() != 1 {
		t.Fatalf("%d replies lost, want 1", e.lost())
	}
	msgs := e.sb.Messages(chatCA)
	photos := 0
	for _, m := range msgs {
		if m.Photo != "" {
			photos++
		}
	}
	if len(msgs) != 3 || photos != 1 {
		t.Fatalf("chat has %d messages, %d photos; want 3 and 1 (the photo posted once)", len(msgs), photos)
	}
	if got := strings.Join(rec.Ref.IDs, ","); got != "2,3" {
		t.Errorf("record ids %s, want 2,3", got)
	}
	// The probe edited message 2's caption to the very caption it had.
	if _, ids := e.requests("editMessageCaption"); len(ids) == 0 || ids[0] != 2 {
		t.Errorf("caption edits %v, want the probe of message 2 first", ids)
	}
	if n, _ := e.requests("sendPhoto"); n != 1 {
		t.Errorf("%d sendPhoto requests, want 1", n)
	}
}

func TestCorrectionsEditThePhotoAndRetractDeletesIt(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.start(e.config())
	e.publish("mascaretes", "ca", "Mascaretes", "![Repartiment]("+photoA+")\n\nDilluns als barris.")
	e.wait("mascaretes", 1, delivery.Delivered)

	// The text changes: the caption is edited in place.
	e.publish("mascaretes", "ca", "Mascaretes", "![Repartiment]("+photoA+")\n\nDimarts als barris.")
	e.wait("mascaretes", 2, delivery.Delivered)
	msgs := e.sb.Messages(chatCA)
	if len(msgs) != 1 || msgs[0].ID != 1 || msgs[0].Photo != photoA || !strings.Contains(msgs[0].Text, "Dimarts") {
		t.Fatalf("after the caption correction: %+v", msgs)
	}
	if n, _ := e.requests("editMessageCaption"); n != 1 {
		t.Errorf("%d caption edits, want 1", n)
	}

	// The image changes: the photo is replaced in place.
	e.publish("mascaretes", "ca", "Mascaretes", "![Mercat]("+photoB+")\n\nDimarts al mercat.")
	e.wait("mascaretes", 3, delivery.Delivered)
	msgs = e.sb.Messages(chatCA)
	if len(msgs) != 1 || msgs[0].ID != 1 || msgs[0].Photo != photoB || !strings.Contains(msgs[0].Text, "mercat") {
		t.Fatalf("after the image correction: %+v", msgs)
	}

	// The image goes: the post becomes text (posted afresh), and the record says so.
	e.publish("mascaretes", "ca", "Mascaretes", "Dimarts al mercat, sense foto.")
	rec := e.wait("mascaretes", 4, delivery.Delivered)
	msgs = e.sb.Messages(chatCA)
	if len(msgs) != 1 || msgs[0].Photo != "" || !strings.Contains(msgs[0].Text, "sense foto") {
		t.Fatalf("after removing the image: %+v", msgs)
	}
	if rec.Ref.IDs[0] != "2" {
		t.Errorf("record ids %v, want the new message 2", rec.Ref.IDs)
	}

	// The image comes back: a photo again.
	e.publish("mascaretes", "ca", "Mascaretes", "![Mercat]("+photoB+")\n\nTornem-hi.")
	e.wait("mascaretes", 5, delivery.Delivered)
	msgs = e.sb.Messages(chatCA)
	if len(msgs) != 1 || msgs[0].Photo != photoB {
		t.Fatalf("after adding the image back: %+v", msgs)
	}

	if _, err := e.pub.Retract(t.Context(), "mascaretes", "test"); err != nil {
		t.Fatal(err)
	}
	e.wait("mascaretes", 6, delivery.Retracted)
	if msgs := e.sb.Messages(chatCA); len(msgs) != 0 {
		t.Fatalf("after retraction the chat shows %+v", msgs)
	}
}

func TestUnfetchableImageFallsBackToText(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.start(e.config())
	broken := "https://imatges.paeria.invalid/mascaretes.jpg"
	e.publish("mascaretes", "ca", "Mascaretes", "![Repartiment]("+broken+")\n\nDilluns als barris.")
	rec := e.wait("mascaretes", 1, delivery.Delivered)
	msgs := e.sb.Messages(chatCA)
	if len(msgs) != 1 || msgs[0].Photo != "" || !strings.Contains(msgs[0].HTML, broken) {
		t.Fatalf("chat shows %+v; want one text message with the image's link", msgs)
	}
	if !strings.Contains(rec.Ref.Note, "could not fetch "+broken) {
		t.Errorf("note = %q, want it to say the image could not be fetched", rec.Ref.Note)
	}
	// A correction keeps the text post (no new sendPhoto attempt piling up posts).
	e.publish("mascaretes", "ca", "Mascaretes", "![Repartiment]("+broken+")\n\nDimarts als barris.")
	rec = e.wait("mascaretes", 2, delivery.Delivered)
	msgs = e.sb.Messages(chatCA)
	if len(msgs) != 1 || msgs[0].ID != 1 || !strings.Contains(msgs[0].Text, "Dimarts") {
		t.Fatalf("after the correction: %+v", msgs)
	}
	if !strings.Contains(rec.Ref.Note, "could not fetch") {
		t.Errorf("note after the correction = %q", rec.Ref.Note)
	}
}
