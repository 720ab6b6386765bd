package markdown_test

import (
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/markdown"
)

func TestHTMLIsSafeAndLiteral(t *testing.T) {
	md := markdown.New()
	tests := []struct {
		name, src, want string
	}{
		{"script_shows_as_text", "Hola <script>alert(1)</script>", "<p>Hola &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
		{"html_block_shows_as_text", "<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"},
		{"entity_typed_is_literal", "Salut &amp; Serveis", "<p>Salut &amp;amp; Serveis</p>\n"},
		{"javascript_link_unwrapped", "[clica](javascript:alert(1))", "<p>clica</p>\n"},
		{"obfuscated_scheme_unwrapped", "[clica](java&#x09;script:alert(1))", "<p>clica</p>\n"},
		{"data_link_unwrapped", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>\n"},
		{"autolink_javascript_is_text", "<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n"},
		{"data_image_becomes_alt_text", "![foto](data:image/png;base64,AAAA)", "<p>foto</p>\n"},
		{"https_link_kept", "[web](https://www.paeria.cat/?a=1&b=2)", `<p><a href="https://www.paeria.cat/?a=1&amp;b=2">web</a></p>` + "\n"},
		{"tel_and_mailto_kept", "[973](tel:+34973700300) [m](mailto:a@paeria.cat)",
			`<p><a href="tel:+34973700300">973</a> <a href="mailto:a@paeria.cat">m</a></p>` + "\n"},
		{"relative_link_kept", "[avís](/bulletins/avis)", `<p><a href="/bulletins/avis">avís</a></p>` + "\n"},
		{"heading_shifted_below_title", "# Mesures", "<h2>Mesures</h2>\n"},
		{"backslash_escape_works", `\*no\* és cursiva`, "<p>*no* és cursiva</p>\n"},
		{"gfm_strikethrough", "~~tancat~~ obert", "<p><del>tancat</del> obert</p>\n"},
		{"linkify", "Vegeu https://www.paeria.cat", `<p>Vegeu <a href="https://www.paeria.cat">https://www.paeria.cat</a></p>` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := md.HTML([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("HTML(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	md := markdown.New()
	src := "# Mesures\n\nCal **quedar-se** a casa. Info: [web](https://paeria.cat) i https://x.cat\n\n" +
		"- Compra\n  - Aliments\n- Farmàcia\n\n1. Un\n2. Dos\n\n| Servei | Telèfon |\n|---|---|\n| Guàrdia Urbana | 092 |\n\nText <b>literal</b> &amp;\n"
	want := "Mesures\n\nCal quedar-se a casa. Info: web (https://paeria.cat) i https://x.cat\n\n" +
		"• Compra\n  • Aliments\n• Farmàcia\n\n1. Un\n2. Dos\n\nServei | Telèfon\nGuàrdia Urbana | 092\n\nText <b>literal</b> &amp;"
	if got := md.PlainText([]byte(src)); got != want {
		t.Errorf("PlainText:\n got %q\nwant %q", got, want)
	}
}

func TestSafeURL(t *testing.T) {
	for _, u := range []string{"https://a.cat", "http://a.cat", "mailto:a@b.cat", "tel:092", "/rel", "rel/x:y", "#frag", "?q=a:b"} {
		if !markdown.SafeURL(u) {
			t.Errorf("SafeURL(%q) = false, want true", u)
		}
	}
	for _, u := range []string{"javascript:x", "JavaScript:x", " javascript:x", "java\nscript:x", "vbscript:x", "data:text/html,x", "file:///etc/passwd", "jav&#97;script:x"} {
		if markdown.SafeURL(u) {
			t.Errorf("SafeURL(%q) = true, want false", u)
		}
	}
}

func BenchmarkRender3KB(b *testing.B) {
	src := []byte(strings.Repeat("Cal **quedar-se** a casa, excepte per [anar a treballar](https://paeria.cat).\n\n- Compra\n- Farmàcia\n\n", 30))[:3072]
	md := markdown.New()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := md.HTML(src); err != nil {
			b.Fatal(err)
		}
	}
}
