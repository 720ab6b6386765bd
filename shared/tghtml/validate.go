package tghtml

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits of the Bot API, counted in UTF-16 code units of the text after entity parsing.
const (
	// MaxMessage is the longest text of one message (sendMessage, editMessageText).
	MaxMessage = 4096
	// MaxCaption is the longest caption of a photo (sendPhoto).
	MaxCaption = 1024
)

// Errors returned by Validate, wrapped with the place of the problem. The texts follow
// the Bot API's own descriptions, so the sandbox can answer with them unchanged.
var (
	ErrEntities = errors.New("can't parse entities")
	ErrEmpty    = errors.New("message text is empty")
	ErrTooLong  = errors.New("message is too long")
)

// maxDepth bounds tag nesting, so a hostile request cannot make validation slow.
const maxDepth = 64

// Message is a validated message: its text as Telegram shows it, and the text's length.
type Message struct {
	// Text is the text after entity parsing: tags removed, entities decoded.
	Text string
	// Units is the length of Text in UTF-16 code units, as Telegram counts it.
	Units int
}

// tagRule says where each supported tag may appear.
type tagRule struct {
	// block tags (pre, blockquote) may not be inside formatting, links or code.
	block bool
	// leaf tags (code, pre) hold only text (pre may hold one code with a language).
	leaf bool
}

var tags = map[string]tagRule{
	"b": {}, "strong": {}, "i": {}, "em": {}, "u": {}, "ins": {},
	"s": {}, "strike": {}, "del": {}, "tg-spoiler": {}, "span": {},
	"a":          {},
	"code":       {leaf: true},
	"pre":        {block: true, leaf: true},
	"blockquote": {block: true},
}

type open struct {
	name string
	// used is set once the tag holds text or another tag.
	used bool
	// closed is set on a pre that holds a code child: nothing may follow it.
	closed bool
}

// Validate checks html against Telegram's HTML parse mode, strictly: only the supported
// tags and attributes, only &lt; &gt; &amp; &quot; and numeric entities, no bare < > &,
// tags properly nested (no blockquote in blockquote, nothing inside code or pre but text
// and pre's language code, no pre or blockquote inside formatting or links, no link or
// code inside a link), and the parsed text 1..limit UTF-16 units long.
// It never panics, whatever the input.
func Validate(html string, limit int) (*Message, error) {
	if !utf8.ValidString(html) {
		return nil, fmt.Errorf("%w: text must be encoded in UTF-8", ErrEntities)
	}
	var text strings.Builder
	text.Grow(len(html))
	var stack []open
	for i := 0; i < len(html); {
		c := html[i]
		switch c {
		case '<':
			end := strings.IndexByte(html[i:], '>')
			if end < 0 {
				return nil, fmt.Errorf("%w: unclosed start tag at byte offset %d", ErrEntities, i)
			}
			var err error
			stack, err = tag(stack, html[i+1:i+end], i)
			if err != nil {
				return nil, err
			}
			i += end + 1
		case '&':
			r, n, err := entity(html[i:], i)
			if err != nil {
				return nil, err
			}
			if err := textAllowed(stack, i); err != nil {
				return nil, err
			}
			text.WriteRune(r)
			i += n
		case '>':
			return nil, fmt.Errorf("%w: unescaped > at byte offset %d (write &gt;)", ErrEntities, i)
		default:
			if err := textAllowed(stack, i); err != nil {
				return nil, err
			}
			text.WriteByte(c)
			i++
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("%w: can't find end tag corresponding to start tag %q", ErrEntities, stack[len(stack)-1].name)
	}
	m := &Message{Text: text.String()}
	m.Units = Units(m.Text)
	if strings.TrimFunc(m.Text, unicode.IsSpace) == "" {
		return nil, ErrEmpty
	}
	if m.Units > limit {
		return nil, fmt.Errorf("%w: %d characters, the limit is %d", ErrTooLong, m.Units, limit)
	}
	return m, nil
}

// textAllowed rejects text in a pre after its language code, and marks the pre used.
func textAllowed(stack []open, at int) error {
	if len(stack) == 0 {
		return nil
	}
	top := &stack[len(stack)-1]
	if top.name == "pre" && top.closed {
		return fmt.Errorf("%w: text after the code inside <pre> (byte offset %d)", ErrEntities, at)
	}
	top.used = true
	return nil
}

// tag applies one tag (the text between < and >) to the stack of open tags.
func tag(stack []open, body string, at int) ([]open, error) {
	if name, ok := strings.CutPrefix(body, "/"); ok {
		if len(stack) == 0 || stack[len(stack)-1].name != name {
			return nil, fmt.Errorf("%w: unmatched end tag %q at byte offset %d", ErrEntities, name, at)
		}
		return stack[:len(stack)-1], nil
	}
	name, attrs, _ := strings.Cut(body, " ")
	rule, ok := tags[name]
	if !ok {
		return nil, fmt.Errorf("%w: unsupported start tag %q at byte offset %d", ErrEntities, name, at)
	}
	kv, err := attributes(attrs, at)
	if err != nil {
		return nil, err
	}
	if err := checkAttrs(name, kv, at); err != nil {
		return nil, err
	}
	if len(stack) >= maxDepth {
		return nil, fmt.Errorf("%w: tags nested more than %d deep at byte offset %d", ErrEntities, maxDepth, at)
	}
	if err := nesting(stack, name, rule, name == "code" && kv["class"] != "", at); err != nil {
		return nil, err
	}
	if len(stack) > 0 {
		parent := &stack[len(stack)-1]
		parent.used = true
		if parent.name == "pre" {
			parent.closed = true // pre holds this code and nothing after it
		}
	}
	return append(stack, open{name: name}), nil
}

// nesting enforces which entity may contain which.
func nesting(stack []open, name string, rule tagRule, lang bool, at int) error {
	var parent *open
	if len(stack) > 0 {
		parent = &stack[len(stack)-1]
	}
	if parent != nil && parent.name == "pre" {
		if name != "code" || parent.used {
			return fmt.Errorf("%w: <%s> can't be inside <pre> (byte offset %d)", ErrEntities, name, at)
		}
		return nil
	}
	if lang {
		return fmt.Errorf("%w: a language is only allowed on a code directly inside pre (byte offset %d)", ErrEntities, at)
	}
	for _, p := range stack {
		switch {
		case tags[p.name].leaf:
			return fmt.Errorf("%w: <%s> can't be inside <%s> (byte offset %d)", ErrEntities, name, p.name, at)
		case rule.block:
			return fmt.Errorf("%w: <%s> can't be inside <%s> (byte offset %d)", ErrEntities, name, p.name, at)
		case p.name == "a" && (name == "a" || name == "code"):
			return fmt.Errorf("%w: <%s> can't be inside a link (byte offset %d)", ErrEntities, name, at)
		case p.name != "blockquote" && name == "code":
			return fmt.Errorf("%w: <code> can't be inside <%s> (byte offset %d)", ErrEntities, p.name, at)
		}
	}
	return nil
}

// checkAttrs allows exactly the attributes Telegram knows for each tag.
func checkAttrs(name string, kv map[string]string, at int) error {
	allowed := map[string]bool{}
	switch name {
	case "a":
		href, ok := kv["href"]
		if !ok {
			return fmt.Errorf("%w: <a> without href at byte offset %d", ErrEntities, at)
		}
		if !validHref(href) {
			return fmt.Errorf("%w: wrong URL %q in <a> at byte offset %d", ErrEntities, href, at)
		}
		allowed["href"] = true
	case "span":
		if kv["class"] != "tg-spoiler" {
			return fmt.Errorf("%w: <span> needs class=\"tg-spoiler\" (byte offset %d)", ErrEntities, at)
		}
		allowed["class"] = true
	case "code":
		if c, ok := kv["class"]; ok {
			lang, ok := strings.CutPrefix(c, "language-")
			if !ok || lang == "" {
				return fmt.Errorf("%w: code class must be language-<name> (byte offset %d)", ErrEntities, at)
			}
		}
		allowed["class"] = true
	case "blockquote":
		if v, ok := kv["expandable"]; ok && v != "" {
			return fmt.Errorf("%w: expandable takes no value (byte offset %d)", ErrEntities, at)
		}
		allowed["expandable"] = true
	}
	for k := range kv {
		if !allowed[k] {
			return fmt.Errorf("%w: unsupported attribute %q of <%s> at byte offset %d", ErrEntities, k, name, at)
		}
	}
	return nil
}

// validHref accepts the absolute URLs a citizen's client can open.
func validHref(href string) bool {
	for _, scheme := range []string{"http://", "https://", "mailto:", "tel:"} {
		if len(href) > len(scheme) && strings.EqualFold(href[:len(scheme)], scheme) {
			return !strings.ContainsAny(href, " \t\n\r")
		}
	}
	return false
}

// attributes parses ` name="value" name` into a map, decoding entities in values.
func attributes(s string, at int) (map[string]string, error) {
	kv := map[string]string{}
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return kv, nil
		}
		n := strings.IndexAny(s, "= ")
		if n < 0 {
			n = len(s)
		}
		name := s[:n]
		if name == "" || strings.ContainsAny(name, "\"'<&/") {
			return nil, fmt.Errorf("%w: bad attribute at byte offset %d", ErrEntities, at)
		}
		if _, dup := kv[name]; dup {
			return nil, fmt.Errorf("%w: repeated attribute %q at byte offset %d", ErrEntities, name, at)
		}
		s = s[n:]
		if !strings.HasPrefix(s, "=") {
			kv[name] = ""
			continue
		}
		if !strings.HasPrefix(s, "=\"") {
			return nil, fmt.Errorf("%w: attribute %q must be quoted with \" (byte offset %d)", ErrEntities, name, at)
		}
		end := strings.IndexByte(s[2:], '"')
		if end < 0 {
			return nil, fmt.Errorf("%w: unclosed attribute %q at byte offset %d", ErrEntities, name, at)
		}
		raw := s[2 : 2+end]
		var val strings.Builder
		for i := 0; i < len(raw); {
			switch raw[i] {
			case '&':
				r, n, err := entity(raw[i:], at)
				if err != nil {
					return nil, err
				}
				val.WriteRune(r)
				i += n
			case '<':
				return nil, fmt.Errorf("%w: < in attribute %q at byte offset %d", ErrEntities, name, at)
			default:
				val.WriteByte(raw[i])
				i++
			}
		}
		kv[name] = val.String()
		s = s[2+end+1:]
		if s != "" && s[0] != ' ' {
			return nil, fmt.Errorf("%w: no space after attribute %q at byte offset %d", ErrEntities, name, at)
		}
	}
}

// entity decodes the entity at the start of s (which begins with &) and returns the
// character and the entity's length in bytes.
func entity(s string, at int) (rune, int, error) {
	end := strings.IndexByte(s, ';')
	if end < 0 || end > 12 {
		return 0, 0, fmt.Errorf("%w: unescaped & at byte offset %d (write &amp;)", ErrEntities, at)
	}
	name := s[1:end]
	switch name {
	case "lt":
		return '<', end + 1, nil
	case "gt":
		return '>', end + 1, nil
	case "amp":
		return '&', end + 1, nil
	case "quot":
		return '"', end + 1, nil
	}
	if num, ok := strings.CutPrefix(name, "#"); ok && num != "" {
		base := 10
		if hex, ok := strings.CutPrefix(num, "x"); ok {
			num, base = hex, 16
		} else if hex, ok := strings.CutPrefix(num, "X"); ok {
			num, base = hex, 16
		}
		v, err := strconv.ParseUint(num, base, 32)
		if err == nil && v > 0 && v <= unicode.MaxRune && !(v >= 0xD800 && v <= 0xDFFF) && num[0] != '+' {
			return rune(v), end + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: unsupported entity &%s; at byte offset %d", ErrEntities, name, at)
}

// Units is the length of s in UTF-16 code units, the way Telegram counts characters.
func Units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
