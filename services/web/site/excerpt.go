package site

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/paeria/pregoner/shared/markdown"
)

// Limits of a list page's excerpt. A reader scanning the front page needs the gist and
// the shape of a bulletin (a paragraph, a list, a table), not its whole text: that is
// on the permalink, and the first load stays small however long bulletins are.
const (
	excerptRunes     = 280  // text budget after the first block
	excerptBlocks    = 4    // blocks shown at most
	excerptParaRunes = 1200 // the first paragraph is whole up to this: a wall of text is cut
	excerptItems     = 3    // list items shown
	excerptItemRunes = 120  // text of one list item
	descriptionRunes = 200  // <meta name="description">, og:description
)

// excerpt is the start of a bulletin as a list page shows it, keeping its structure.
type excerpt struct {
	W      *words // the page's, for "Table", "and 3 more"
	Blocks []exBlock
	More   bool // something was left out: the page says so and links the whole
}

// exBlock is one block of an excerpt: exactly one of its fields is set.
type exBlock struct {
	Heading string
	Text    string
	List    *exList
	Table   *exTable
}

type exList struct {
	Ordered bool
	Items   []string
	More    int // items left out
}

// exTable names a table instead of flattening it: its columns and how many rows.
type exTable struct {
	Columns []string
	Rows    int
}

// makeExcerpt walks the top-level blocks of a parsed body. The first paragraph is whole
// (up to excerptParaRunes); then blocks follow while the budget lasts; a list shows its
// first items, a table its column names and row count.
func makeExcerpt(doc ast.Node, src []byte) excerpt {
	var ex excerpt
	budget, seenPara := excerptRunes, false
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if len(ex.Blocks) == excerptBlocks || budget <= 0 {
			ex.More = true
			break
		}
		var b exBlock
		cost := 0
		switch n := n.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			text := inlineText(n, src)
			if !seenPara {
				seenPara = true
				b.Text, ex.More = cut(text, excerptParaRunes), ex.More || len([]rune(text)) > excerptParaRunes
				break // the first paragraph does not spend the budget: it is always whole
			}
			if cost = len([]rune(text)); cost > budget {
				b.Text, ex.More = cut(text, budget), true
			} else {
				b.Text = text
			}
		case *ast.Heading:
			b.Heading = inlineText(n, src)
			cost = len([]rune(b.Heading))
		case *ast.List:
			l := &exList{Ordered: n.IsOrdered()}
			for it := n.FirstChild(); it != nil; it = it.NextSibling() {
				if len(l.Items) == excerptItems {
					l.More++
					continue
				}
				var first ast.Node = it
				if it.FirstChild() != nil {
					first = it.FirstChild() // the item's own line, not its nested lists
				}
				text := cut(inlineText(first, src), excerptItemRunes)
				l.Items = append(l.Items, text)
				cost += len([]rune(text))
			}
			ex.More = ex.More || l.More > 0
			b.List = l
		case *east.Table:
			t := &exTable{}
			for row := n.FirstChild(); row != nil; row = row.NextSibling() {
				if _, head := row.(*east.TableHeader); head {
					for c := row.FirstChild(); c != nil; c = c.NextSibling() {
						t.Columns = append(t.Columns, cut(inlineText(c, src), 40))
					}
					continue
				}
				t.Rows++
			}
			b.Table, ex.More = t, true // its cells are on the permalink
			cost = 80
		default:
			continue // code, quotes, rules: on the permalink
		}
		ex.Blocks = append(ex.Blocks, b)
		budget -= cost
	}
	return ex
}

// inlineText is the literal text of n's inlines on one line: links by their label,
// images by their alt text.
func inlineText(n ast.Node, src []byte) string {
	var buf bytes.Buffer
	var walk func(ast.Node)
	walk = func(parent ast.Node) {
		for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				buf.Write(markdown.Literal(c.Segment.Value(src)))
				if c.SoftLineBreak() || c.HardLineBreak() {
					buf.WriteByte(' ')
				}
			case *ast.String:
				buf.Write(c.Value)
			case *ast.AutoLink:
				buf.Write(c.Label(src))
			case *ast.RawHTML: // shown as typed, as on every channel; the template escapes it
				for i := 0; i < c.Segments.Len(); i++ {
					seg := c.Segments.At(i)
					buf.Write(seg.Value(src))
				}
			case *ast.CodeSpan:
				for t := c.FirstChild(); t != nil; t = t.NextSibling() {
					if t, ok := t.(*ast.Text); ok {
						buf.Write(t.Segment.Value(src))
					}
				}
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return strings.Join(strings.Fields(buf.String()), " ")
}

// cut shortens text to at most limit runes, at a word when one is near, marking the cut.
func cut(text string, limit int) string {
	runes := []rune(text)
	if len(runes) <= limit {
		return text
	}
	text = string(runes[:max(limit, 1)])
	if sp := strings.LastIndexByte(text, ' '); sp > len(text)/2 {
		text = text[:sp]
	}
	return text + "…"
}
