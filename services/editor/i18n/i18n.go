// Package i18n holds the words staff read in the editor — Catalan first, Spanish and
// English — and picks a member's language. Messages are plain sentences looked up by a
// short key (golang.org/x/text/message catalogues, one per language); none is plural-
// dependent, so a count is always written as "messages: 3", never "3 message(s)".
//
// Dates are written the one way staff write them, dd/mm/aaaa HH:MM on a 24-hour clock,
// in the council's zone, whatever the language.
package i18n

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Lang is a language staff may choose: its BCP 47 tag.
type Lang string

// The languages of the editor. Catalan is the council's own and the default.
const (
	Catalan Lang = "ca"
	Spanish Lang = "es"
	English Lang = "en"
)

// Default is the language of anyone who has chosen none and whose browser names none
// the editor speaks.
const Default = Catalan

// Langs lists the languages in the order the switch offers them.
func Langs() []Lang { return []Lang{Catalan, Spanish, English} }

// Parse returns the Lang named by s ("ca", "es", "en"; case and region ignored).
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_."); i >= 0 {
		s = s[:i]
	}
	for _, l := range Langs() {
		if string(l) == s {
			return l, true
		}
	}
	return "", false
}

// Name is the language's name in itself, as the switch shows it: a reader who does
// not understand the page still finds her own language.
func (l Lang) Name() string {
	switch l {
	case Spanish:
		return "Castellano"
	case English:
		return "English"
	}
	return "Català"
}

// DateLayout is how every date staff see is written: dd/mm/aaaa HH:MM.
const DateLayout = "02/01/2006 15:04"

// Date writes t in loc as dd/mm/aaaa HH:MM; the zero time (never) is a dash.
func Date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format(DateLayout)
}

// Msg is a message not yet put in words: a catalogue key and its arguments, written
// in the reader's language only when shown. Arguments that are themselves a Msg are
// translated first. The zero Msg is no message.
type Msg struct {
	Key  string
	Args []any
	// raw is text shown as it is (a bulletin's title, a name): no key. With a Key, it
	// is what to show when the catalogue lacks the key (see W).
	raw string
}

// M is the message key with args.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// Raw is text that needs no translation, e.g. a bulletin's own title.
func Raw(text string) Msg { return Msg{raw: text} }

// W is the word for value in a closed set (kind "state", "role", "action"...): the
// key kind.value, or value itself when the catalogue has no such word.
func W(kind, value string) Msg { return Msg{Key: kind + "." + value, raw: value} }

// IsZero reports whether m is no message.
func (m Msg) IsZero() bool { return m.Key == "" && m.raw == "" }

// Catalogue translates keys into the three languages. It is safe for concurrent use.
type Catalogue struct {
	printers map[Lang]*message.Printer
	keys     map[string]bool
	matcher  language.Matcher
	tables   map[Lang]map[string]string
}

// New builds the catalogue from the tables of this package.
func New() (*Catalogue, error) {
	b := catalog.NewBuilder(catalog.Fallback(language.Catalan))
	keys := map[string]bool{}
	all := tables()
	for l, table := range all {
		tag := language.MustParse(string(l))
		for k, v := range table {
			if err := b.SetString(tag, k, v); err != nil {
				return nil, fmt.Errorf("i18n: %s %q: %w", l, k, err)
			}
			keys[k] = true
		}
	}
	c := &Catalogue{printers: map[Lang]*message.Printer{}, keys: keys, tables: all}
	var tags []language.Tag
	for _, l := range Langs() {
		tag := language.MustParse(string(l))
		tags = append(tags, tag)
		c.printers[l] = message.NewPrinter(tag, message.Catalog(b))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// tables are the catalogues by language: the base tables of ca.go, es.go and en.go,
// with each part of parts (a screen's own words, in a file of its own) added in.
// A key defined twice is a mistake the tests catch (see overlaps).
func tables() map[Lang]map[string]string {
	out := map[Lang]map[string]string{}
	for l, base := range map[Lang]map[string]string{Catalan: catalan, Spanish: spanish, English: english} {
		t := make(map[string]string, len(base))
		for k, v := range base {
			t[k] = v
		}
		for _, part := range parts {
			for k, v := range part[l] {
				t[k] = v
			}
		}
		out[l] = t
	}
	return out
}

// overlaps lists the keys defined in more than one table of a language.
func overlaps() []string {
	var out []string
	for l, base := range map[Lang]map[string]string{Catalan: catalan, Spanish: spanish, English: english} {
		seen := map[string]bool{}
		for k := range base {
			seen[k] = true
		}
		for _, part := range parts {
			for k := range part[l] {
				if seen[k] {
					out = append(out, string(l)+" "+k)
				}
				seen[k] = true
			}
		}
	}
	return out
}

// Has reports whether key is in the catalogue.
func (c *Catalogue) Has(key string) bool { return c.keys[key] }

// Match picks the language for a browser's Accept-Language header: the best of the
// editor's, else Catalan.
func (c *Catalogue) Match(acceptLanguage string) Lang {
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return Default
	}
	_, i, conf := c.matcher.Match(prefs...)
	if conf == language.No {
		return Default
	}
	return Langs()[i]
}

// T is the message key in l, with args put in its %s, %d... An unknown key is shown
// as it is, so a missing word is visible rather than blank (the tests keep none).
func (c *Catalogue) T(l Lang, key string, args ...any) string {
	p, ok := c.printers[l]
	if !ok {
		p = c.printers[Default]
	}
	for i, a := range args {
		if m, ok := a.(Msg); ok {
			args[i] = c.Msg(l, m)
		}
	}
	return p.Sprintf(key, args...)
}

// Msg puts m in words in l.
func (c *Catalogue) Msg(l Lang, m Msg) string {
	if m.Key == "" || (m.raw != "" && !c.keys[m.Key]) {
		return m.raw
	}
	return c.T(l, m.Key, append([]any(nil), m.Args...)...)
}

// Word translates a value of a closed set — a delivery state, a role, an audit
// action — by the key kind.value, and shows the value itself when the catalogue has
// no such word (a state a newer worker wrote, say).
func (c *Catalogue) Word(l Lang, kind, value string) string {
	key := kind + "." + value
	if !c.keys[key] {
		return value
	}
	return c.T(l, key)
}

// Pattern is the message key in l unformatted, its %d and %s left for a script to
// fill.
func (c *Catalogue) Pattern(l Lang, key string) string {
	if v, ok := c.tables[l][key]; ok {
		return v
	}
	return c.tables[Default][key]
}
