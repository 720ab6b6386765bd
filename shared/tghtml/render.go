// Package tghtml renders bulletins to Telegram's HTML subset, splits long ones into
// messages that are each valid on their own, and validates HTML strictly against
// Telegram's rules (the validator is what the local Bot API sandbox enforces).
//
// The renderer starts from the shared, sanitised Markdown tree (shared/markdown), so
// Telegram shows the same words as the web page: raw HTML and entity references typed
// by staff show literally, unsafe links are plain text, headings are bold lines.
package tghtml

import (
	"bytes"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // Madrid time also where the system has no zoneinfo database

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/markdown"
)

// Renderer turns bulletins into Telegram messages. It is safe for concurrent use.
type Renderer struct {
	md *markdown.Markdown
	// base resolves relative links; nil leaves them as text.
	base *url.URL
	// loc is the council's time zone, in which a live broadcast's start is given.
	loc *time.Location
}

// NewRenderer returns a renderer that resolves relative links against baseURL, the
// public web page (e.g. http://127.0.0.1:8081); an empty baseURL renders them as text.
func NewRenderer(baseURL string) *Renderer {
	loc, err := time.LoadLocation(councilZone)
	if err != nil { // unreachable: time/tzdata is linked in
		loc = time.FixedZone("CET", 3600)
	}
	r := &Renderer{md: markdown.New(), loc: loc}
	if u, err := url.Parse(baseURL); err == nil && u.IsAbs() {
		r.base = u
	}
	return r
}

// Render returns the whole bulletin as one Telegram HTML text: the title in bold, for
// a live announcement the broadcast's start in Madrid time, the body, and a link to
// permalink (the bulletin's web page; none when empty). The text may be longer than
// one message: see Split, or Messages for both at once.
func (r *Renderer) Render(b *bulletin.Bulletin, permalink string) string {
	html, _, _ := r.render(b, permalink, "")
	return html
}

// render is Render that also returns the byte offset where the body starts, which the
// first message must reach into (len(html) when there is no body).
//
// watch is a live announcement's broadcast link, once YouTube gave it ("" before).
// photo is the body's first https image (see firstImage), from the same parse.
func (r *Renderer) render(b *bulletin.Bulletin, permalink, watch string) (html string, lead int, photo string) {
	var w writer
	w.buf.Grow(len(b.Body) + len(b.Title) + 128)
	w.buf.WriteString("<b>")
	w.text([]byte(strings.TrimSpace(b.Title)))
	w.buf.WriteString("</b>")
	if b.Live != nil {
		w.buf.WriteString("\n\n")
		w.buf.WriteString(liveLine(b.Lang, b.Live.Start.In(r.loc)))
		if href, ok := r.href([]byte(watch)); ok && watch != "" {
			w.labelledLink("\n▶️ "+watchLabel(b.Lang), href, href)
		}
	}
	src := []byte(b.Body)
	body := &blocks{w: &w, src: src, base: r.base}
	before := w.buf.Len()
	w.buf.WriteString("\n\n")
	lead = w.buf.Len()
	doc := r.md.Parse(src)
	photo = firstImage(doc)
	body.children(doc, 0)
	if w.buf.Len() == before+2 {
		w.buf.Truncate(before)
		lead = before
	}
	if href, ok := r.href([]byte(permalink)); ok {
		w.labelledLink("\n\n🔗 "+moreLabel(b.Lang), href, permalink)
	}
	return w.buf.String(), lead, photo
}

// Messages renders b and splits it into messages of at most MaxMessage units each. The
// first holds the title and the start of the body, never the title alone.
func (r *Renderer) Messages(b *bulletin.Bulletin, permalink string) []string {
	html, lead, _ := r.render(b, permalink, "")
	return split(html, MaxMessage, lead)
}

// moreLabel introduces the permalink in the bulletin's language.
func moreLabel(lang string) string {
	switch lang {
	case "es":
		return "Más información:"
	case "en":
		return "More:"
	}
	return "Més informació:"
}

func (r *Renderer) href(dest []byte) (string, bool) {
	return resolve(r.base, dest)
}

// resolve makes a link destination absolute and checks that Telegram takes it.
func resolve(base *url.URL, dest []byte) (string, bool) {
	d := strings.TrimSpace(string(markdown.Literal(dest)))
	if d == "" || !markdown.SafeURL(d) {
		return "", false
	}
	u, err := url.Parse(d)
	if err != nil {
		return "", false
	}
	if !u.IsAbs() {
		if base == nil || strings.HasPrefix(d, "#") {
			return "", false
		}
		u = base.ResolveReference(u)
	}
	s := u.String()
	if !validHref(s) {
		return "", false
	}
	return s, true
}

// writer accumulates Telegram HTML, escaping text as it goes.
type writer struct {
	buf bytes.Buffer
}

// text writes s escaped: < > & become entities, so whatever staff typed shows as typed.
func (w *writer) text(s []byte) {
	last := 0
	for i, c := range s {
		var esc string
		switch c {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case 0:
			esc = "\uFFFD"
		default:
			continue
		}
		w.buf.Write(s[last:i])
		w.buf.WriteString(esc)
		last = i + 1
	}
	w.buf.Write(s[last:])
}

// attr writes an attribute value escaped, quotes included.
// labelledLink writes label (trusted HTML: a fixed word), then a link to href showing
// text.
func (w *writer) labelledLink(label, href, text string) {
	w.buf.WriteString(label)
	w.buf.WriteString(" <a href=\"")
	w.attr(href)
	w.buf.WriteString("\">")
	w.text([]byte(text))
	w.buf.WriteString("</a>")
}

func (w *writer) attr(s string) {
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			w.text([]byte(s))
			return
		}
		w.text([]byte(s[:i]))
		w.buf.WriteString("&quot;")
		s = s[i+1:]
	}
}

// Escape returns s as Telegram HTML text that shows s literally.
func Escape(s string) string {
	var w writer
	w.text([]byte(s))
	return w.buf.String()
}
