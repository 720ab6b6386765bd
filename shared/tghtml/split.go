package tghtml

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// counterReserve is the room kept in every part for its "(2/3)" line.
const counterReserve = len("\n(999/999)")

// Split cuts html (valid Telegram HTML, as Render makes it) into parts whose text is at
// most limit UTF-16 units each, cutting at a paragraph break if it can, else at a line
// break, else between words, else between characters. Tags open at a cut are closed at
// the end of one part and opened again at the start of the next, so each part is valid
// on its own. When there is more than one part, each ends with a "(i/n)" line.
//
// The first part never holds the first paragraph alone (Render puts the title there):
// it also takes as much of what follows as fits, cut inside the next paragraph when
// that paragraph is longer than a part. A reader who sees only the first message must
// learn what the bulletin says, not only what it is called.
func Split(html string, limit int) []string {
	return split(html, limit, firstBreak(html))
}

// split is Split where lead is the byte offset in html of the first text that part 1
// must reach into (the body, after the title and any lines that introduce it); -1
// when part 1 may end anywhere.
func split(html string, limit, lead int) []string {
	return splitFirst(html, limit, limit, lead)
}

// splitFirst is split where the first part holds at most first units (a photo's
// caption) and the others at most limit.
func splitFirst(html string, first, limit, lead int) []string {
	if len(html) <= first {
		return []string{html} // a UTF-16 unit takes at least one byte of UTF-8
	}
	remaining := textUnits(html)
	if remaining <= first {
		return []string{html}
	}
	budget := max(first-counterReserve, 1)
	var parts []string
	var open []string // tags open at pos
	pos := 0
	for remaining > budget {
		at := cutPoint(html, pos, budget, lead)
		lead = -1 // only part 1 must reach it
		openAt := walkTags(open, html[pos:at])
		var h strings.Builder
		reopen(&h, open)
		h.WriteString(strings.TrimRight(html[pos:at], " \t\n"))
		for i := len(openAt) - 1; i >= 0; i-- {
			name, _, _ := strings.Cut(openAt[i], " ")
			h.WriteString("</" + name + ">")
		}
		if head := h.String(); strings.TrimSpace(stripTags(head)) != "" {
			parts = append(parts, head)
		}
		next := at
		for next < len(html) && (html[next] == ' ' || html[next] == '\n' || html[next] == '\t') {
			next++
		}
		remaining -= textUnits(html[pos:next])
		pos, open = next, openAt
		budget = max(limit-counterReserve, 1)
	}
	var last strings.Builder
	reopen(&last, open)
	last.WriteString(html[pos:])
	if rest := last.String(); strings.TrimSpace(stripTags(rest)) != "" {
		parts = append(parts, rest)
	}
	if len(parts) < 2 {
		return parts // the text was long only in white space
	}
	n := strconv.Itoa(len(parts))
	for i := range parts {
		parts[i] += "\n(" + strconv.Itoa(i+1) + "/" + n + ")"
	}
	return parts
}

func reopen(b *strings.Builder, open []string) {
	for _, o := range open {
		b.WriteString("<" + o + ">")
	}
}

// token walks html one text character or one tag at a time.
type token struct {
	start, end int    // byte span in html
	tag        string // the tag's inner text when this is a tag
	char       rune   // the character when this is text
	units      int    // UTF-16 units of char
}

func next(html string, i int) token {
	switch html[i] {
	case '<':
		end := strings.IndexByte(html[i:], '>')
		if end < 0 {
			end = len(html) - i - 1
		}
		return token{start: i, end: i + end + 1, tag: html[i+1 : i+end]}
	case '&':
		if end := strings.IndexByte(html[i:], ';'); end > 0 {
			if r, n, err := entity(html[i:], i); err == nil {
				return token{start: i, end: i + n, char: r, units: utf16.RuneLen(r)}
			}
		}
	}
	r, n := utf8.DecodeRuneInString(html[i:])
	u := utf16.RuneLen(r)
	if u < 0 {
		u = 1
	}
	return token{start: i, end: i + n, char: r, units: u}
}

// textUnits is the length of html's text in UTF-16 units.
func textUnits(html string) int {
	n := 0
	for i := 0; i < len(html); {
		if c := html[i]; c < utf8.RuneSelf && c != '<' && c != '&' {
			n++
			i++
			continue
		}
		t := next(html, i)
		n += t.units
		i = t.end
	}
	return n
}

func stripTags(html string) string {
	var b strings.Builder
	for i := 0; i < len(html); {
		t := next(html, i)
		if t.tag == "" {
			b.WriteRune(t.char)
		}
		i = t.end
	}
	return b.String()
}

// firstBreak is the offset of the text after html's first paragraph break, -1 when
// there is none.
func firstBreak(html string) int {
	prevNL := false
	for i := 0; i < len(html); {
		t := next(html, i)
		i = t.end
		switch {
		case t.tag != "":
		case t.char == '\n' && prevNL:
			for i < len(html) && (html[i] == '\n' || html[i] == ' ' || html[i] == '\t') {
				i++
			}
			return i
		default:
			prevNL = t.char == '\n'
		}
	}
	return -1
}

// cutPoint returns where to cut html after pos so that at most budget units of text
// come before the cut: the last paragraph break, else line break, else space, else
// the last whole character that fits. A cut must lie beyond lead when one that fits
// does; only when what comes before lead is itself longer than budget (a tiny limit)
// is it cut earlier.
func cutPoint(html string, pos, budget, lead int) int {
	para, line, word, hard := -1, -1, -1, -1
	units := 0
	prevNL := -1 // offset of the newline just before, when only tags lie between
	for i := pos; i < len(html); {
		t := next(html, i)
		if t.tag != "" {
			i = t.end
			continue
		}
		if units+t.units > budget {
			break
		}
		if units > 0 {
			switch t.char {
			case '\n':
				if prevNL >= 0 {
					para = prevNL
				} else {
					line = t.start
				}
				prevNL = t.start
			case ' ', '\t':
				word = t.start
			}
		}
		if t.char != '\n' {
			prevNL = -1
		}
		units += t.units
		i = t.end
		hard = i
	}
	pick := func(floor int) int {
		at := hard
		for _, c := range []int{word, line, para} {
			if c > floor {
				at = c
			}
		}
		return at
	}
	at := pick(max(pos, lead))
	if at <= max(pos, lead) {
		at = pick(pos)
	}
	if at <= pos {
		// Not one character fits (a budget under 2 units): take one anyway.
		for i := pos; i < len(html); {
			t := next(html, i)
			i = t.end
			if t.tag == "" {
				return i
			}
		}
		return len(html)
	}
	return at
}

// walkTags returns the tags open after html, given those open before it.
func walkTags(open []string, html string) []string {
	out := append([]string(nil), open...)
	for i := 0; i < len(html); {
		t := next(html, i)
		i = t.end
		switch {
		case t.tag == "":
		case strings.HasPrefix(t.tag, "/"):
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, t.tag)
		}
	}
	return out
}
