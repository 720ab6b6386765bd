package tghtml_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/markdown"
	"github.com/paeria/pregoner/shared/tghtml"
)

// bench3KB is a realistic bulletin body of about 3 KB: headings, lists, a table,
// links, code and emoji.
func bench3KB(b *testing.B) *bulletin.Bulletin {
	b.Helper()
	var body strings.Builder
	for body.Len() < 3000 {
		body.WriteString("## Mesures a Lleida 😷\n\nEl **paer en cap** informa que cal quedar-se a casa. " +
			"Consulteu [la web](https://www.paeria.cat/covid_19?a=1&b=2) o truqueu al `973 700 300`.\n\n" +
			"- Farmàcies obertes\n  - Horari reduït\n- Mercats: *només alimentació*\n\n" +
			"| Servei | Horari |\n|---|---|\n| CAP | 8–20 h |\n\n")
	}
	return &bulletin.Bulletin{ID: "bench", Title: "Butlletí de prova", Lang: "ca", Body: body.String()}
}

func BenchmarkRenderTelegram(b *testing.B) {
	bl := bench3KB(b)
	r := tghtml.NewRenderer("https://covid.paeria.cat")
	b.SetBytes(int64(len(bl.Body)))
	for b.Loop() {
		_ = r.Messages(bl, "https://covid.paeria.cat/bulletins/bench")
	}
}

// BenchmarkRenderGoldmarkHTML is the yardstick: goldmark's own HTML renderer (GFM) on
// the same input.
func BenchmarkRenderGoldmarkHTML(b *testing.B) {
	bl := bench3KB(b)
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	src := []byte(bl.Body)
	var buf bytes.Buffer
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		buf.Reset()
		if err := md.Convert(src, &buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderSharedHTML is the shared configuration's page HTML on the same input.
func BenchmarkRenderSharedHTML(b *testing.B) {
	bl := bench3KB(b)
	md := markdown.New()
	src := []byte(bl.Body)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := md.HTML(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	html := tghtml.NewRenderer("").Render(bench3KB(b), "https://covid.paeria.cat/bulletins/bench")
	b.SetBytes(int64(len(html)))
	for b.Loop() {
		if _, err := tghtml.Validate(html, 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderVsGoldmark alternates the Telegram render and goldmark's HTML render
// of the same 3 KB input in one loop, so a busy machine slows both alike, and reports
// the ratio of their times (aim: under 2).
func BenchmarkRenderVsGoldmark(b *testing.B) {
	bl := bench3KB(b)
	r := tghtml.NewRenderer("https://covid.paeria.cat")
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	src := []byte(bl.Body)
	var buf bytes.Buffer
	var tg, gm time.Duration
	for b.Loop() {
		t0 := time.Now()
		_ = r.Messages(bl, "https://covid.paeria.cat/bulletins/bench")
		t1 := time.Now()
		buf.Reset()
		_ = md.Convert(src, &buf)
		gm += time.Since(t1)
		tg += t1.Sub(t0)
	}
	b.ReportMetric(float64(tg.Nanoseconds())/float64(b.N), "telegram-ns/op")
	b.ReportMetric(float64(gm.Nanoseconds())/float64(b.N), "goldmark-ns/op")
	b.ReportMetric(float64(tg)/float64(gm), "x-goldmark")
}
