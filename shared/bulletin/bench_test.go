package bulletin_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/markdown"
)

// bulletin3KB is a realistic bulletin of about 3 KB: front matter, a list, a table, links.
func bulletin3KB() []byte {
	var b strings.Builder
	b.WriteString("---\nid: 2020-03-14-confinament\ntitle: Mesures de confinament a Lleida\nlang: ca\n" +
		"channels: [telegram, web]\npublish_at: 2020-03-14T21:00:00+01:00\nurgent: true\ntags: [salut, mobilitat]\n---\n")
	para := "Amb la declaració de l'estat d'alarma, **cal quedar-se a casa**. Més informació a " +
		"[paeria.cat](https://www.paeria.cat/cat/ajuntament/covid-19/).\n\n" +
		"- Comprar aliments i medicaments.\n- Anar al centre sanitari.\n- Anar a treballar.\n\n" +
		"| Servei | Telèfon |\n|---|---|\n| Atenció ciutadana | 973 700 300 |\n\n"
	for b.Len() < 3000 {
		b.WriteString(para)
	}
	return []byte(b.String()[:3072])
}

// BenchmarkParseAndRender is what a bulletin costs the hub: validate the file and render
// the page HTML.
func BenchmarkParseAndRender(b *testing.B) {
	src := bulletin3KB()
	md := markdown.New()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		bl, err := bulletin.Parse("x.md", src, bulletin.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := md.HTML([]byte(bl.Body)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseOnly is the front matter and validation alone.
func BenchmarkParseOnly(b *testing.B) {
	src := bulletin3KB()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bulletin.Parse("x.md", src, bulletin.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoldmarkGFM is the baseline: plain goldmark with GFM on the same file.
func BenchmarkGoldmarkGFM(b *testing.B) {
	src := bulletin3KB()
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := md.Convert(src, &buf); err != nil {
			b.Fatal(err)
		}
	}
}
