package tghtml

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// indentUnit indents nested list items: three spaces read as a step on a narrow phone.
const indentUnit = "   "

// blocks renders the block structure of a body. Telegram has no paragraphs or lists:
// blocks become lines, separated by a blank line at the top level.
type blocks struct {
	w    *writer
	src  []byte
	base *url.URL
	// quote is set inside a blockquote, which Telegram does not nest and which
	// holds no pre.
	quote bool
	// inline state: the formatting tags open now, and whether a link is open.
	stack []string
	link  bool
	// plain renders inlines without any tags (table cells inside pre).
	plain bool
}

func (b *blocks) children(parent ast.Node, indent int) {
	sep := "\n\n"
	if indent > 0 {
		sep = "\n"
	}
	first := true
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		if !first {
			b.w.buf.WriteString(sep)
		}
		first = false
		b.block(n, indent)
	}
}

func (b *blocks) pad(indent int) {
	for range indent {
		b.w.buf.WriteString(indentUnit)
	}
}

func (b *blocks) block(n ast.Node, indent int) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		b.pad(indent)
		b.inlines(n)
	case *ast.Heading:
		b.pad(indent)
		b.push("b", "b")
		b.inlines(n)
		b.pop()
	case *ast.ThematicBreak:
		b.pad(indent)
		b.w.buf.WriteString("———")
	case *ast.FencedCodeBlock:
		b.code(n, string(n.Language(b.src)), indent)
	case *ast.CodeBlock:
		b.code(n, "", indent)
	case *ast.HTMLBlock:
		b.pad(indent)
		b.lines(n)
		if n.HasClosure() {
			b.w.buf.WriteByte('\n')
			b.w.text(trimNL(n.ClosureLine.Value(b.src)))
		}
	case *ast.List:
		b.list(n, indent)
	case *ast.Blockquote:
		if b.quote {
			b.children(n, indent)
			return
		}
		b.pad(indent)
		b.w.buf.WriteString("<blockquote>")
		b.quote = true
		b.children(n, indent)
		b.quote = false
		b.w.buf.WriteString("</blockquote>")
	case *east.Table:
		b.table(n, indent)
	default:
		b.children(n, indent)
	}
}

// code renders a code block as pre, with its language when it has a usable one.
// Inside a blockquote, where Telegram allows no pre, its lines are plain text.
func (b *blocks) code(n ast.Node, lang string, indent int) {
	if b.quote {
		b.pad(indent)
		b.lines(n)
		return
	}
	lang, _, _ = strings.Cut(lang, " ")
	if !validLang(lang) {
		lang = ""
	}
	b.w.buf.WriteString("<pre>")
	if lang != "" {
		b.w.buf.WriteString(`<code class="language-`)
		b.w.buf.WriteString(lang)
		b.w.buf.WriteString(`">`)
	}
	b.lines(n)
	if lang != "" {
		b.w.buf.WriteString("</code>")
	}
	b.w.buf.WriteString("</pre>")
}

// validLang accepts language names such as go, c++, objective-c, c#.
func validLang(lang string) bool {
	if lang == "" || len(lang) > 32 {
		return false
	}
	for _, c := range []byte(lang) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '+' || c == '#' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

// lines writes a block's source lines escaped, exactly as typed (code, raw HTML).
func (b *blocks) lines(n ast.Node) {
	ls := n.Lines()
	for i := 0; i < ls.Len(); i++ {
		seg := ls.At(i)
		v := seg.Value(b.src)
		if i == ls.Len()-1 {
			v = trimNL(v)
		}
		b.w.text(v)
	}
}

func trimNL(v []byte) []byte {
	for len(v) > 0 && (v[len(v)-1] == '\n' || v[len(v)-1] == '\r') {
		v = v[:len(v)-1]
	}
	return v
}

// list renders items as "• " or "1. " lines, nested items indented one step more.
func (b *blocks) list(n *ast.List, indent int) {
	num := n.Start
	for it := n.FirstChild(); it != nil; it = it.NextSibling() {
		if it != n.FirstChild() {
			b.w.buf.WriteByte('\n')
		}
		b.pad(indent)
		if n.IsOrdered() {
			b.w.buf.WriteString(strconv.Itoa(num))
			b.w.buf.WriteString(". ")
			num++
		} else if indent%2 == 0 {
			b.w.buf.WriteString("• ")
		} else {
			b.w.buf.WriteString("◦ ")
		}
		c := it.FirstChild()
		if c == nil {
			continue
		}
		switch c.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			b.inlines(c)
			c = c.NextSibling()
		}
		for ; c != nil; c = c.NextSibling() {
			b.w.buf.WriteByte('\n')
			b.block(c, indent+1)
		}
	}
}

// table renders a table as aligned columns in a pre (rows of " | " inside a quote).
func (b *blocks) table(n *east.Table, indent int) {
	var rows [][]string
	var widths []int
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for i, cell := 0, row.FirstChild(); cell != nil; i, cell = i+1, cell.NextSibling() {
			text := b.plainText(cell)
			cells = append(cells, text)
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], visibleWidth(text))
		}
		rows = append(rows, cells)
	}
	if b.quote {
		for i, cells := range rows {
			if i > 0 {
				b.w.buf.WriteByte('\n')
			}
			b.pad(indent)
			b.w.buf.WriteString(strings.Join(cells, " | "))
		}
		return
	}
	b.w.buf.WriteString("<pre>")
	for i, cells := range rows {
		if i > 0 {
			b.w.buf.WriteByte('\n')
		}
		for j, c := range cells {
			if j > 0 {
				b.w.buf.WriteString(" | ")
			}
			b.w.buf.WriteString(c)
			if j < len(cells)-1 {
				b.w.buf.WriteString(strings.Repeat(" ", widths[j]-visibleWidth(c)))
			}
		}
		if i == 0 && len(rows) > 1 {
			b.w.buf.WriteByte('\n')
			for j, wd := range widths {
				if j > 0 {
					b.w.buf.WriteString("-+-")
				}
				b.w.buf.WriteString(strings.Repeat("-", wd))
			}
		}
	}
	b.w.buf.WriteString("</pre>")
}

// plainText renders n's inlines without tags, escaped, for a cell inside a pre.
func (b *blocks) plainText(n ast.Node) string {
	sub := &blocks{w: &writer{}, src: b.src, base: b.base, plain: true}
	sub.inlines(n)
	return strings.TrimSpace(sub.w.buf.String())
}

// visibleWidth counts the characters an escaped text shows (an entity is one).
func visibleWidth(escaped string) int {
	n := 0
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if c == '&' {
			if j := strings.IndexByte(escaped[i:], ';'); j > 0 {
				i += j
			}
		}
		if c < 0x80 || c >= 0xC0 {
			n++
		}
	}
	return n
}
