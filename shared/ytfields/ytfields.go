// Package ytfields holds YouTube's rules for a live broadcast's fields and the text
// pregoner puts in them. The YouTube worker uses it to build broadcasts; the editor uses
// it to refuse, at the field, what YouTube would refuse later — without linking the
// YouTube worker (or Google's client) into the editor.
package ytfields

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/markdown"
)

// YouTube's rules for a live broadcast's snippet.
const (
	// MaxTitleChars: a title is 1–100 characters (Unicode code points).
	MaxTitleChars = 100
	// MaxDescriptionBytes: a description is at most 5000 bytes of UTF-8.
	MaxDescriptionBytes = 5000
	// Ellipsis ends a description shortened to fit.
	Ellipsis = "…"
)

// CheckBulletin applies YouTube's rules to a live announcement before anything is sent,
// so staff learn at publish time what the API would refuse: the broadcast title must
// be 1–100 characters without < or >, the description (the body as plain text) must
// hold no < or >, and the start must be after now. A too-long description is not an
// error: it is shortened with a link to the web page (see Description).
//
// It returns nil for a bulletin without a live block (YouTube skips it). The errors are
// *bulletin.FieldError with File set to the bulletin id and Field to the front-matter
// field or "body"; the editor may fill in the file and line.
func CheckBulletin(b *bulletin.Bulletin, now time.Time) []error {
	return Check(markdown.New(), b, now)
}

// Check is CheckBulletin with the caller's Markdown renderer.
func Check(md *markdown.Markdown, b *bulletin.Bulletin, now time.Time) []error {
	if b == nil || b.Live == nil {
		return nil
	}
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, &bulletin.FieldError{File: b.ID, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	title := Title(b)
	switch n := utf8.RuneCountInString(title); {
	case strings.TrimSpace(title) == "":
		add("live: title", "empty; YouTube needs a broadcast title of 1–%d characters", MaxTitleChars)
	case n > MaxTitleChars:
		add("live: title", "%d characters is over YouTube's limit of %d for a broadcast title", n, MaxTitleChars)
	}
	if strings.ContainsAny(title, "<>") {
		add("live: title", "contains < or >, which YouTube refuses in a title (write « » or ‹ › instead)")
	}
	if c, line := firstAngle(md.PlainText([]byte(b.Body))); c != 0 {
		add("body", "line %d of the text contains %q, which YouTube refuses in a description (write « » or ‹ › instead)", line, c)
	}
	if !b.Live.Start.After(now) {
		add("live: start", "%s is not in the future; YouTube only schedules broadcasts that are yet to begin",
			b.Live.Start.Format(time.RFC3339))
	}
	return errs
}

// Title is the broadcast title of a live announcement: live.title, else the bulletin title.
func Title(b *bulletin.Bulletin) string {
	if b.Live != nil && b.Live.Title != "" {
		return b.Live.Title
	}
	return b.Title
}

// firstAngle returns the first < or > in s and its 1-based line, or 0.
func firstAngle(s string) (rune, int) {
	i := strings.IndexAny(s, "<>")
	if i < 0 {
		return 0, 0
	}
	return rune(s[i]), strings.Count(s[:i], "\n") + 1
}

// Permalink is the bulletin's page on the public site. It ends every description
// pregoner writes, and that last line is also how the worker recognises its own
// broadcasts (see Announces): ids are unique, so the permalink is too.
func Permalink(webBaseURL, id string) string {
	return strings.TrimRight(webBaseURL, "/") + "/bulletins/" + id
}

// LegacyMarker is the tag "[pregoner:<id>]" that older versions put after the
// permalink. Viewers saw it, so descriptions no longer carry it; Announces still
// recognises it, so that a broadcast an older version made and never recorded (its
// answer lost) is found rather than scheduled twice.
func LegacyMarker(id string) string { return "[pregoner:" + id + "]" }

// Announces reports whether a broadcast description is one pregoner wrote for the
// bulletin with this permalink and id: its last line is the permalink, whole — not a
// longer id's permalink (a-b is not a-b-c), and not a link in the text above it, which
// may point at another bulletin — or, from an older version, it carries the legacy
// marker (bracketed, so a-b's is no part of a-b-c's).
func Announces(description, permalink, id string) bool {
	last := strings.TrimRightFunc(description, unicode.IsSpace)
	last = strings.TrimSpace(last[strings.LastIndexByte(last, '\n')+1:])
	return permalink != "" && last == permalink || strings.Contains(description, LegacyMarker(id))
}

// Description is the broadcast description of b: the body as plain text, then the
// permalink on a line of its own, last, where Announces looks for it. A text too long
// for YouTube's 5000 bytes is cut at a word boundary and ends with an ellipsis; the
// permalink that follows leads to the whole. Without a permalink the worker could not
// find the broadcast again, so callers always pass one.
func Description(md *markdown.Markdown, b *bulletin.Bulletin, permalink string) string {
	text := strings.TrimSpace(md.PlainText([]byte(b.Body)))
	switch {
	case permalink == "":
		return shortenTo(text, MaxDescriptionBytes)
	case text == "":
		return permalink
	}
	tail := "\n\n" + permalink
	return shortenTo(text, MaxDescriptionBytes-len(tail)) + tail
}

// shortenTo returns text whole when it fits in budget bytes, else cut at a word
// boundary and ended with the ellipsis.
func shortenTo(text string, budget int) string {
	if len(text) <= budget {
		return text
	}
	return shorten(text, budget-len(Ellipsis)) + Ellipsis
}

// shorten returns the longest prefix of s of at most limit bytes that ends at a word
// boundary, without trailing space; a single word longer than half the limit is cut
// between characters instead.
func shorten(s string, limit int) string {
	if limit <= 0 {
		return ""
	}
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if !unicode.IsSpace(rune(s[cut])) { // else the cut falls on a word boundary already
		if i := strings.LastIndexFunc(s[:cut], unicode.IsSpace); i > limit/2 {
			cut = i
		}
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace)
}
