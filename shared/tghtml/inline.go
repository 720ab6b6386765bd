package tghtml

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/paeria/pregoner/shared/markdown"
)

// push opens a formatting tag (name, and its opening text such as `a href="…"`).
func (b *blocks) push(name, open string) {
	if !b.plain {
		b.w.buf.WriteString("<" + open + ">")
	}
	b.stack = append(b.stack, name)
}

func (b *blocks) pop() {
	name := b.stack[len(b.stack)-1]
	b.stack = b.stack[:len(b.stack)-1]
	if !b.plain {
		b.w.buf.WriteString("</" + name + ">")
	}
}

// inlines renders the inline children of parent.
func (b *blocks) inlines(parent ast.Node) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		b.inline(n)
	}
}

func (b *blocks) inline(n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		b.w.text(markdown.Literal(n.Segment.Value(b.src)))
		switch {
		case n.HardLineBreak():
			b.w.buf.WriteByte('\n')
		case n.SoftLineBreak():
			b.w.buf.WriteByte(' ')
		}
	case *ast.String:
		b.w.text(n.Value)
	case *ast.CodeSpan:
		b.codeSpan(n)
	case *ast.Emphasis:
		tag := "i"
		if n.Level >= 2 {
			tag = "b"
		}
		b.push(tag, tag)
		b.inlines(n)
		b.pop()
	case *east.Strikethrough:
		b.push("s", "s")
		b.inlines(n)
		b.pop()
	case *ast.Link:
		b.linkTo(n.Destination, func() { b.inlines(n) })
	case *ast.AutoLink:
		dest := n.URL(b.src)
		if n.AutoLinkType == ast.AutoLinkEmail && !bytes.HasPrefix(bytes.ToLower(dest), []byte("mailto:")) {
			dest = append([]byte("mailto:"), dest...)
		}
		b.linkTo(dest, func() { b.w.text(n.Label(b.src)) })
	case *ast.Image:
		b.image(n)
	case *ast.RawHTML:
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			b.w.text(seg.Value(b.src))
		}
	case *east.TaskCheckBox:
		if n.IsChecked {
			b.w.buf.WriteString("☑ ")
		} else {
			b.w.buf.WriteString("☐ ")
		}
	default:
		b.inlines(n)
	}
}

// codeSpan writes inline code. Telegram allows no code inside formatting or links, so
// open formatting is closed around it (and inside a link the code is plain text).
func (b *blocks) codeSpan(n *ast.CodeSpan) {
	var code bytes.Buffer
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			code.Write(bytes.ReplaceAll(c.Segment.Value(b.src), []byte{'\n'}, []byte{' '}))
		case *ast.String:
			code.Write(c.Value)
		}
	}
	if b.plain || b.link {
		b.w.text(code.Bytes())
		return
	}
	open := b.stack
	for i := len(open) - 1; i >= 0; i-- {
		b.w.buf.WriteString("</" + open[i] + ">")
	}
	b.w.buf.WriteString("<code>")
	b.w.text(code.Bytes())
	b.w.buf.WriteString("</code>")
	for _, t := range open {
		b.w.buf.WriteString("<" + t + ">")
	}
}

// linkTo wraps what label writes in a link to dest, or writes it as text when dest is
// not a URL Telegram takes or a link is already open. In a table cell (plain) the URL
// follows the label in brackets, so it is not lost.
func (b *blocks) linkTo(dest []byte, label func()) {
	href, ok := resolve(b.base, dest)
	if !ok || b.link {
		label()
		return
	}
	if b.plain {
		before := b.w.buf.Len()
		label()
		shown := b.w.buf.String()[before:]
		var esc writer
		esc.text([]byte(href))
		if shown != esc.buf.String() && "mailto:"+shown != esc.buf.String() {
			b.w.buf.WriteString(" (")
			b.w.buf.Write(esc.buf.Bytes())
			b.w.buf.WriteString(")")
		}
		return
	}
	var open writer
	open.buf.WriteString(`a href="`)
	open.attr(href)
	open.buf.WriteString(`"`)
	b.push("a", open.buf.String())
	b.link = true
	label()
	b.link = false
	b.pop()
}

// image becomes a link to the picture, labelled with its description.
func (b *blocks) image(n *ast.Image) {
	if b.link {
		b.inlines(n)
		return
	}
	b.w.buf.WriteString("🖼 ")
	b.linkTo(n.Destination, func() {
		before := b.w.buf.Len()
		b.inlines(n)
		if b.w.buf.Len() == before {
			b.w.buf.WriteString("imatge")
		}
	})
}
