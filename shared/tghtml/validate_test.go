package tghtml_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/tghtml"
)

func TestValidateAcceptsTelegramsSubset(t *testing.T) {
	tests := []struct {
		name, html, text string
	}{
		{"formatting", "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>", "bsieunskd"},
		{"spoilers", `<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>`, "ab"},
		{"nested_formatting_and_link", `<b>x <i>y <a href="https://a.cat/?a=1&amp;b=2">z</a></i></b>`, "x y z"},
		{"code_and_pre", `<code>a&lt;b</code> <pre>x</pre><pre><code class="language-go">func()</code></pre>`, "a<b xfunc()"},
		{"blockquotes", "<blockquote>a</blockquote><blockquote expandable>b <code>c</code></blockquote>", "ab c"},
		{"entities", "&lt;&gt;&amp;&quot;&#65;&#x1F600;", `<>&"A😀`},
		{"quotes_are_fine_bare", `"cometes" i 'apòstrofs'`, `"cometes" i 'apòstrofs'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := tghtml.Validate(tt.html, tghtml.MaxMessage)
			if err != nil {
				t.Fatal(err)
			}
			if m.Text != tt.text {
				t.Errorf("text = %q, want %q", m.Text, tt.text)
			}
		})
	}
}

func TestValidateRefusesWhatTelegramRefuses(t *testing.T) {
	tests := []struct {
		name, html string
		want       error
	}{
		{"paragraph", "<p>hola</p>", tghtml.ErrEntities},
		{"line_break", "a<br>b", tghtml.ErrEntities},
		{"self_closing", "a<br/>b", tghtml.ErrEntities},
		{"bare_ampersand", "R&D", tghtml.ErrEntities},
		{"bare_less_than", "a < b", tghtml.ErrEntities},
		{"bare_greater_than", "a > b", tghtml.ErrEntities},
		{"named_entity_not_supported", "&copy;", tghtml.ErrEntities},
		{"surrogate_entity", "&#xD800;", tghtml.ErrEntities},
		{"unclosed", "<b>a", tghtml.ErrEntities},
		{"crossed", "<b><i>a</b></i>", tghtml.ErrEntities},
		{"uppercase_tag", "<B>a</B>", tghtml.ErrEntities},
		{"script", "<script>x</script>", tghtml.ErrEntities},
		{"javascript_link", `<a href="javascript:alert(1)">x</a>`, tghtml.ErrEntities},
		{"relative_link", `<a href="/bulletins/x">x</a>`, tghtml.ErrEntities},
		{"link_without_href", `<a>x</a>`, tghtml.ErrEntities},
		{"unquoted_attribute", `<a href=https://a.cat>x</a>`, tghtml.ErrEntities},
		{"extra_attribute", `<b class="x">a</b>`, tghtml.ErrEntities},
		{"span_without_spoiler", `<span>a</span>`, tghtml.ErrEntities},
		{"link_in_link", `<a href="https://a.cat"><a href="https://b.cat">x</a></a>`, tghtml.ErrEntities},
		{"code_in_link", `<a href="https://a.cat"><code>x</code></a>`, tghtml.ErrEntities},
		{"bold_in_code", `<code><b>x</b></code>`, tghtml.ErrEntities},
		{"code_in_bold", `<b><code>x</code></b>`, tghtml.ErrEntities},
		{"nested_blockquote", "<blockquote>a<blockquote>b</blockquote></blockquote>", tghtml.ErrEntities},
		{"pre_in_bold", "<b><pre>x</pre></b>", tghtml.ErrEntities},
		{"language_on_inline_code", `<code class="language-go">x</code>`, tghtml.ErrEntities},
		{"text_after_language_code", `<pre><code class="language-go">x</code>y</pre>`, tghtml.ErrEntities},
		{"invalid_utf8", "a\xffb", tghtml.ErrEntities},
		{"empty", "", tghtml.ErrEmpty},
		{"only_tags_and_spaces", "<b> </b>\n", tghtml.ErrEmpty},
		{"too_long", strings.Repeat("a", 4097), tghtml.ErrTooLong},
		{"emoji_count_two", strings.Repeat("😷", 2049), tghtml.ErrTooLong},
		{"entities_count_after_parsing_but_emoji_still_two", strings.Repeat("&#x1F637;", 2049), tghtml.ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tghtml.Validate(tt.html, tghtml.MaxMessage)
			if !errors.Is(err, tt.want) {
				t.Errorf("Validate(%q) = %v, want %v", tt.html, err, tt.want)
			}
		})
	}
}

func TestLimitCountsTextAfterParsing(t *testing.T) {
	// 4096 characters of text, far more bytes of markup: Telegram takes it.
	html := strings.Repeat("<b>&amp;</b>", 2048) + strings.Repeat("😷", 1024)
	m, err := tghtml.Validate(html, tghtml.MaxMessage)
	if err != nil {
		t.Fatal(err)
	}
	if m.Units != 4096 {
		t.Errorf("units = %d, want 4096", m.Units)
	}
	if _, err := tghtml.Validate(html+"a", tghtml.MaxMessage); !errors.Is(err, tghtml.ErrTooLong) {
		t.Errorf("4097 units accepted: %v", err)
	}
}
