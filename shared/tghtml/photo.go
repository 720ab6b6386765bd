package tghtml

import (
	"net/url"
	"strings"

	"github.com/yuin/goldmark/ast"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/markdown"
)

// Post is a bulletin as Telegram messages: with Photo set, the first part is the
// photo's caption (at most MaxCaption units), the others are text messages.
type Post struct {
	// Photo is the https URL of the bulletin's first image ("" when it has none).
	Photo string
	Parts []string
}

// Post renders b for Telegram. When its Markdown has an https image, the first one is
// sent as a photo and the beginning of the text is its caption, cut within Telegram's
// 1,024-unit caption limit; the rest follows as messages of up to MaxMessage units.
// The image also stays in the text as a link, so a reader of a message that had to
// go out as text (Telegram could not fetch the image) still reaches it.
//
// watch is a live announcement's broadcast link once YouTube returned it (see
// services/youtube): it shows under the start line. "" leaves it out.
func (r *Renderer) Post(b *bulletin.Bulletin, permalink, watch string) Post {
	html, lead, photo := r.render(b, permalink, watch)
	if photo == "" {
		return Post{Parts: split(html, MaxMessage, lead)}
	}
	if strings.HasPrefix(html[lead:], imageMark) {
		// The body opens with the image's link, which the photo shows: the caption
		// must reach into the text after it.
		if next := firstBreak(html[lead:]); next >= 0 {
			lead += next
		}
	}
	return Post{Photo: photo, Parts: splitFirst(html, MaxCaption, MaxMessage, lead)}
}

// imageMark opens an image's link in the text (see blocks.image).
const imageMark = "🖼 "

// FirstImage returns the destination of the first image of a Markdown body whose URL
// is absolute https (Telegram fetches it itself), "" when there is none.
func FirstImage(md *markdown.Markdown, body string) string {
	return firstImage(md.Parse([]byte(body)))
}

func firstImage(doc ast.Node) string {
	found := ""
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		d := strings.TrimSpace(string(markdown.Literal(img.Destination)))
		if u, err := url.Parse(d); err == nil && u.Scheme == "https" && u.Host != "" && markdown.SafeURL(d) {
			found = u.String()
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return found
}
