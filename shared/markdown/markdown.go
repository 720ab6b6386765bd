// Package markdown is the one Markdown configuration every channel renders from:
// goldmark with GitHub Flavored Markdown, made safe before any renderer sees it.
//
// Safety lives in the tree, not in one renderer: Parse returns an AST in which raw HTML
// is kept as literal text, links and images with a scheme other than http, https,
// mailto or tel are unwrapped to their text, and headings are shifted one level down
// (the bulletin's title is the page's h1). The page HTML, the plain text for YouTube and
// the Telegram renderer all start from that tree, so a bulletin shows the same words on
// every channel.
//
// Text is literal: what staff type shows as typed. "<script>" shows as <script>, and so
// does "&amp;" — entity references are not resolved, on any channel. Backslash escapes
// (\*) work as in CommonMark.
package markdown

import (
	"bytes"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Markdown parses and renders bulletin bodies. It is safe for concurrent use.
type Markdown struct {
	md goldmark.Markdown
}

// New returns the council's Markdown configuration.
func New() *Markdown {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(sanitizer{}, 100)),
		),
		goldmark.WithRendererOptions(
			ghtml.WithWriter(literalWriter{}),
			renderer.WithNodeRenderers(util.Prioritized(rawHTMLRenderer{}, 100)),
		),
	)
	return &Markdown{md: md}
}

// Parse returns the sanitised tree of src. Node segments point into src.
func (m *Markdown) Parse(src []byte) ast.Node {
	return m.md.Parser().Parse(text.NewReader(src))
}

// HTML renders src as an HTML fragment that is safe to put in a page as it is.
func (m *Markdown) HTML(src []byte) (string, error) {
	var buf bytes.Buffer
	if err := m.md.Renderer().Render(&buf, src, m.Parse(src)); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// SafeURL reports whether a link destination may be followed by a citizen: a relative
// URL, or one with the scheme http, https, mailto or tel. Entity references, control
// characters and white space that browsers ignore in a scheme are taken into account.
func SafeURL(dest string) bool {
	d := html.UnescapeString(dest)
	d = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, d)
	colon := strings.IndexByte(d, ':')
	if colon < 0 {
		return true
	}
	if i := strings.IndexAny(d, "/?#"); i >= 0 && i < colon {
		return true // the colon is in the path or query, not a scheme
	}
	switch strings.ToLower(d[:colon]) {
	case "http", "https", "mailto", "tel":
		return true
	}
	return false
}

// Literal returns the text of a source segment as staff typed it: backslash escapes
// of ASCII punctuation are removed, NUL becomes U+FFFD, entity references stay as typed.
func Literal(seg []byte) []byte {
	if bytes.IndexByte(seg, '\\') < 0 && bytes.IndexByte(seg, 0) < 0 {
		return seg
	}
	out := make([]byte, 0, len(seg))
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case c == '\\' && i+1 < len(seg) && util.IsPunct(seg[i+1]):
			i++
			out = append(out, seg[i])
		case c == 0:
			out = append(out, "\uFFFD"...)
		default:
			out = append(out, c)
		}
	}
	return out
}

// sanitizer makes the tree safe for every renderer: unsafe links become their text and
// headings move one level down.
type sanitizer struct{}

func (sanitizer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var unwrap []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.Level = min(n.Level+1, 6)
		case *ast.Link:
			if !SafeURL(string(n.Destination)) {
				unwrap = append(unwrap, n)
			}
		case *ast.Image:
			if !SafeURL(string(n.Destination)) {
				unwrap = append(unwrap, n)
			}
		case *ast.AutoLink:
			if !SafeURL(string(n.URL(src))) {
				unwrap = append(unwrap, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unwrap {
		replaceWithText(n, src)
	}
}

// replaceWithText puts n's children (or, for an autolink, its literal text) in its place.
func replaceWithText(n ast.Node, src []byte) {
	parent := n.Parent()
	if parent == nil {
		return
	}
	if al, ok := n.(*ast.AutoLink); ok {
		parent.ReplaceChild(parent, n, ast.NewString(al.Label(src)))
		return
	}
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		parent.InsertBefore(parent, n, c)
		c = next
	}
	parent.RemoveChild(parent, n)
}

// literalWriter writes text as typed (see Literal), escaped for HTML.
type literalWriter struct{}

func (literalWriter) Write(w util.BufWriter, source []byte) { writeEscaped(w, Literal(source)) }
func (literalWriter) RawWrite(w util.BufWriter, source []byte) {
	writeEscaped(w, source)
}
func (literalWriter) SecureWrite(w util.BufWriter, source []byte) {
	writeEscaped(w, bytes.ReplaceAll(source, []byte{0}, []byte("\uFFFD")))
}

func writeEscaped(w util.BufWriter, s []byte) {
	n := 0
	for i, c := range s {
		if esc := util.EscapeHTMLByte(c); esc != nil {
			_, _ = w.Write(s[n:i])
			_, _ = w.Write(esc)
			n = i + 1
		}
	}
	_, _ = w.Write(s[n:])
}

// rawHTMLRenderer shows raw HTML that staff typed as text instead of dropping or running it.
type rawHTMLRenderer struct{}

func (rawHTMLRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			segs := n.(*ast.RawHTML).Segments
			for i := 0; i < segs.Len(); i++ {
				s := segs.At(i)
				writeEscaped(w, s.Value(src))
			}
		}
		return ast.WalkSkipChildren, nil
	})
	reg.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		b := n.(*ast.HTMLBlock)
		_, _ = w.WriteString("<p>")
		lines := b.Lines()
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			writeEscaped(w, bytes.TrimRight(s.Value(src), "\n"))
			if i < lines.Len()-1 {
				_, _ = w.WriteString("<br>\n")
			}
		}
		if b.HasClosure() {
			_, _ = w.WriteString("<br>\n")
			writeEscaped(w, bytes.TrimRight(b.ClosureLine.Value(src), "\n"))
		}
		_, _ = w.WriteString("</p>\n")
		return ast.WalkSkipChildren, nil
	})
}
