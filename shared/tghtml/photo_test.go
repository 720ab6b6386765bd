package tghtml_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/tghtml"
)

func TestPostSendsTheFirstImageAsAPhotoWithACaption(t *testing.T) {
	r := tghtml.NewRenderer("https://covid.paeria.cat")
	para := strings.Repeat("La Paeria reparteix mascaretes als barris. ", 20) // ≈ 860 units
	tests := []struct {
		name  string
		body  string
		photo string
		parts int
	}{
		{"no_image", "Text.", "", 1},
		{"http_image_stays_a_link", "![Foto](http://www.paeria.cat/a.jpg)\n\nText.", "", 1},
		{"relative_image_stays_a_link", "![Foto](/a.jpg)\n\nText.", "", 1},
		{"first_https_image", "Text ![A](https://www.paeria.cat/a.jpg) i ![B](https://www.paeria.cat/b.jpg).", "https://www.paeria.cat/a.jpg", 1},
		{"caption_shortened", "![Foto](https://www.paeria.cat/a.jpg)\n\n" + para + "\n\n" + para, "https://www.paeria.cat/a.jpg", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &bulletin.Bulletin{ID: "m", Title: "Mascaretes", Lang: "ca", Body: tt.body}
			p := r.Post(b, "https://covid.paeria.cat/bulletins/m", "")
			if p.Photo != tt.photo || len(p.Parts) != tt.parts {
				t.Fatalf("photo %q, %d parts; want %q, %d", p.Photo, len(p.Parts), tt.photo, tt.parts)
			}
			limit := tghtml.MaxMessage
			if p.Photo != "" {
				limit = tghtml.MaxCaption
			}
			m, err := tghtml.Validate(p.Parts[0], limit)
			if err != nil {
				t.Fatalf("first part refused at %d: %v", limit, err)
			}
			if p.Photo != "" && !strings.Contains(m.Text, "La Paeria") && strings.Contains(tt.body, "La Paeria") {
				t.Errorf("the caption holds no body text: %q", m.Text)
			}
		})
	}
}

func TestPostGivesTheBroadcastLinkOfALiveAnnouncement(t *testing.T) {
	r := tghtml.NewRenderer("https://covid.paeria.cat")
	b := &bulletin.Bulletin{ID: "roda", Title: "Roda de premsa", Lang: "es", Body: "Text.",
		Live: &bulletin.Live{Start: time.Date(2030, 3, 18, 11, 0, 0, 0, time.UTC)}}
	const link = "https://www.youtube.com/watch?v=abc_1&t=2"
	p := r.Post(b, "", link)
	m, err := tghtml.Validate(p.Parts[0], tghtml.MaxMessage)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Emisión en directo: lunes 18/03/2030 a las 12:00\n▶️ Enlace en YouTube: "+link) {
		t.Errorf("no link under the start: %q", m.Text)
	}
	if p := r.Post(b, "", "javascript:alert(1)"); strings.Contains(p.Parts[0], "javascript") {
		t.Errorf("an unsafe link was rendered: %q", p.Parts[0])
	}
}

// BenchmarkPostVsMessages renders the 3 KB bulletin, with a photo, as Post and, in the
// same loop, as Messages: Post parses the body a second time to find the image.
func BenchmarkPostVsMessages(b *testing.B) {
	bl := bench3KB(b)
	bl.Body = "![Foto](https://www.paeria.cat/a.jpg)\n\n" + bl.Body
	r := tghtml.NewRenderer("https://covid.paeria.cat")
	var post, msgs time.Duration
	for b.Loop() {
		t0 := time.Now()
		r.Post(bl, "https://covid.paeria.cat/bulletins/b", "")
		t1 := time.Now()
		r.Messages(bl, "https://covid.paeria.cat/bulletins/b")
		post, msgs = post+t1.Sub(t0), msgs+time.Since(t1)
	}
	b.ReportMetric(float64(post.Microseconds())/float64(b.N), "post-µs/op")
	b.ReportMetric(float64(msgs.Microseconds())/float64(b.N), "messages-µs/op")
}
