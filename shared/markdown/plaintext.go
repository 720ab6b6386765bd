package markdown

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// PlainText renders src as plain text for places that show no markup, such as a
// YouTube description: paragraphs separated by a blank line, list items as "• " or
// "1. " lines indented by nesting, links as "text (url)", tables as " | " rows.
func (m *Markdown) PlainText(src []byte) string {
	p := &plain{src: src}
	p.blocks(m.Parse(src), 0)
	return strings.TrimSpace(p.buf.String())
}

type plain struct {
	src []byte
	buf bytes.Buffer
}

func (p *plain) blocks(parent ast.Node, indent int) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		p.block(n, indent)
	}
}

func (p *plain) block(n ast.Node, indent int) {
	pad := strings.Repeat("  ", indent)
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
		p.buf.WriteString(pad)
		p.inlines(n)
		p.endBlock(n)
	case *ast.List:
		num := n.Start
		for it := n.FirstChild(); it != nil; it = it.NextSibling() {
			p.buf.WriteString(pad)
			if n.IsOrdered() {
				p.buf.WriteString(strconv.Itoa(num) + ". ")
				num++
			} else {
				p.buf.WriteString("• ")
			}
			first := true
			for c := it.FirstChild(); c != nil; c = c.NextSibling() {
				if first {
					p.inlines(c)
					p.buf.WriteByte('\n')
					first = false
					continue
				}
				p.block(c, indent+1)
			}
		}
		if indent == 0 {
			p.buf.WriteByte('\n')
		}
	case *ast.Blockquote:
		p.blocks(n, indent)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			p.buf.WriteString(pad)
			p.buf.Write(s.Value(p.src))
		}
		p.buf.WriteByte('\n')
	case *ast.HTMLBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			p.buf.Write(s.Value(p.src))
		}
		p.buf.WriteByte('\n')
	case *ast.ThematicBreak:
		p.buf.WriteString("———\n\n")
	case *east.Table:
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			p.buf.WriteString(pad)
			for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
				if cell != row.FirstChild() {
					p.buf.WriteString(" | ")
				}
				p.inlines(cell)
			}
			p.buf.WriteByte('\n')
		}
		p.buf.WriteByte('\n')
	default:
		p.blocks(n, indent)
	}
}

func (p *plain) endBlock(n ast.Node) {
	if _, inList := n.Parent().(*ast.ListItem); inList {
		p.buf.WriteByte('\n')
		return
	}
	p.buf.WriteString("\n\n")
}

func (p *plain) inlines(parent ast.Node) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Text:
			p.buf.Write(Literal(n.Segment.Value(p.src)))
			if n.HardLineBreak() || n.SoftLineBreak() {
				p.buf.WriteByte('\n')
			}
		case *ast.String:
			p.buf.Write(n.Value)
		case *ast.CodeSpan:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					p.buf.Write(t.Segment.Value(p.src))
				}
			}
		case *ast.AutoLink:
			p.buf.Write(n.Label(p.src))
		case *ast.Link:
			before := p.buf.Len()
			p.inlines(n)
			label := string(p.buf.Bytes()[before:]) // only the label: copying the whole text per link is quadratic
			if dest := string(n.Destination); dest != label && "mailto:"+label != dest {
				p.buf.WriteString(" (" + dest + ")")
			}
		case *ast.Image:
			p.inlines(n)
		case *ast.RawHTML:
			for i := 0; i < n.Segments.Len(); i++ {
				s := n.Segments.At(i)
				p.buf.Write(s.Value(p.src))
			}
		default:
			p.inlines(n)
		}
	}
}
