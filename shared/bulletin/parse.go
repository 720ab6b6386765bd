package bulletin

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Limits a bulletin must respect. They keep one file well inside a NATS message and a
// page that a cheap phone loads quickly.
const (
	MaxSize       = 256 << 10 // bytes of the whole file
	MaxIDLen      = 80
	MaxTitleRunes = 200
	MaxTags       = 20
	// TimeLayout is the one accepted time format: RFC 3339 with an explicit offset, so
	// "10:00" never silently means UTC when staff meant Lleida time.
	TimeLayout = time.RFC3339
)

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	langRE = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// Options adjust parsing. The zero value is the council's default.
type Options struct {
	// DefaultChannels apply when the front matter names none. Empty means telegram and
	// web, plus youtube when the bulletin has a live block.
	DefaultChannels []string
	// DefaultLang applies when the front matter gives none; empty means "ca".
	DefaultLang string
}

// Parse reads one bulletin file. name is used in errors and, without its extension,
// as the id when the front matter gives none. A returned error is of type Errors and
// names file, line and field of every problem found.
func Parse(name string, src []byte, opts Options) (*Bulletin, error) {
	c := &collector{file: name}
	if len(src) > MaxSize {
		c.add(0, "", KindTooLarge, "%d KiB is over the %d KiB limit for a bulletin", (len(src)+1023)>>10, MaxSize>>10)
		return nil, c.err()
	}
	if !utf8.Valid(src) {
		c.add(invalidUTF8Line(src), "", KindNotUTF8, "not valid UTF-8 (save the file as UTF-8)")
		return nil, c.err()
	}
	src = bytes.TrimPrefix(src, []byte("\uFEFF"))
	text := strings.ReplaceAll(string(src), "\r\n", "\n")

	front, body, bodyLine, ok := splitFrontMatter(c, text)
	if !ok {
		return nil, c.err()
	}
	b := &Bulletin{Body: strings.TrimSpace(body)}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(front), &root); err != nil {
		c.add(yamlErrorLine(err), "front matter", KindNotYAML, "%s", yamlErrorMsg(err))
		return nil, c.err()
	}
	d := &decoder{c: c, b: b}
	d.document(&root)

	if b.ID == "" && !d.seen["id"] {
		b.ID = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		if !slugRE.MatchString(b.ID) || len(b.ID) > MaxIDLen {
			c.add(1, "id", KindBadFileName, "none given, and the file name %q is not a valid id (want lowercase letters, digits and dashes, e.g. 2020-03-14-confinament)", b.ID)
		}
	}
	if d.broken {
		return nil, c.err()
	}
	if b.Title == "" && !d.seen["title"] {
		c.add(1, "title", KindMissing, "missing")
	}
	if b.Lang == "" {
		b.Lang = opts.DefaultLang
		if b.Lang == "" {
			b.Lang = "ca"
		}
	}
	if b.Group == "" {
		b.Group = b.ID
	}
	if b.Channels == nil && !d.seen["channels"] {
		b.Channels = defaultChannels(opts, b.Live != nil)
	}
	if b.Live != nil && b.Live.Title == "" {
		b.Live.Title = b.Title
	}
	d.checkAlert()
	if b.Body == "" {
		c.add(bodyLine, "body", KindEmptyBody, "empty (write the bulletin's text below the closing ---)")
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return b, nil
}

func defaultChannels(opts Options, live bool) []string {
	if len(opts.DefaultChannels) > 0 {
		return append([]string(nil), opts.DefaultChannels...)
	}
	if live {
		return []string{Telegram, YouTube, Web}
	}
	return []string{Telegram, Web}
}

// splitFrontMatter separates the block between the first two "---" lines from the body.
// bodyLine is the 1-based line where the body starts.
func splitFrontMatter(c *collector, text string) (front, body string, bodyLine int, ok bool) {
	lines := strings.SplitAfter(text, "\n")
	isDelim := func(l string) bool { return strings.TrimRight(l, " \t\n") == "---" }
	if !isDelim(lines[0]) {
		c.add(1, "front matter", KindNoFrontMatter, "missing (the file must start with a line --- , then fields such as title:, then ---)")
		return "", "", 0, false
	}
	for i := 1; i < len(lines); i++ {
		if isDelim(lines[i]) {
			return strings.Join(lines[1:i], ""), strings.Join(lines[i+1:], ""), i + 2, true
		}
	}
	c.add(1, "front matter", KindNotClosed, "not closed (add a line --- after the last field)")
	return "", "", 0, false
}

func invalidUTF8Line(src []byte) int {
	line := 1
	for len(src) > 0 {
		r, size := utf8.DecodeRune(src)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		src = src[size:]
	}
	return line
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErrorLine maps a YAML error's line (counted inside the front matter) to the file's.
func yamlErrorLine(err error) int {
	m := yamlLineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 1
	}
	n, _ := strconv.Atoi(m[1])
	// yaml.v3 counts from 1 for scanner errors but from 0 for these parser errors.
	for _, p := range zeroBasedYAMLProblems {
		if strings.HasPrefix(m[2], p) {
			n++
		}
	}
	return n + 1 // the front matter starts on the file's second line
}

var zeroBasedYAMLProblems = []string{
	"did not find expected key", "did not find expected node content",
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"did not find expected '-' indicator",
}

func yamlErrorMsg(err error) string {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		return "not valid YAML: " + m[2]
	}
	return "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")
}

// decoder walks the YAML node tree by hand so every error carries its line.
type decoder struct {
	c    *collector
	b    *Bulletin
	seen map[string]bool
	// broken is set when the front matter is not a list of fields at all; then the
	// missing fields are not reported one by one.
	broken bool
	// alertLine is where the alert: block starts, for problems of the block as a whole.
	alertLine int
}

var knownFields = []string{"id", "title", "lang", "group", "channels", "publish_at", "urgent", "tags", "live", "alert"}

func (d *decoder) document(root *yaml.Node) {
	d.seen = map[string]bool{}
	if root.Kind == 0 { // empty front matter
		return
	}
	m := root
	if m.Kind == yaml.DocumentNode && len(m.Content) == 1 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		d.c.add(m.Line+1, "front matter", KindNotFields, "want fields like title: ..., one per line")
		d.broken = true
		return
	}
	firstLine := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := k.Line + 1
		if prev, dup := firstLine[k.Value]; dup {
			d.c.add(line, k.Value, KindTwice, "given twice (first on line %d)", prev)
			continue
		}
		firstLine[k.Value] = line
		d.seen[k.Value] = true
		d.field(k.Value, line, v)
	}
}

func (d *decoder) field(name string, line int, v *yaml.Node) {
	vline := v.Line + 1
	if v.Line == 0 {
		vline = line
	}
	switch name {
	case "id":
		if s, ok := d.scalar(name, vline, v); ok {
			if !slugRE.MatchString(s) || len(s) > MaxIDLen {
				d.c.add(vline, name, KindBadID, "%q is not a valid id (want lowercase letters, digits and dashes, at most %d)", s, MaxIDLen)
				return
			}
			d.b.ID = s
		}
	case "title":
		if s, ok := d.scalar(name, vline, v); ok {
			d.b.Title = d.title(name, vline, s)
		}
	case "lang":
		if s, ok := d.scalar(name, vline, v); ok {
			if !langRE.MatchString(s) {
				d.c.add(vline, name, KindBadLang, "%q is not a language code (want ca, es, en, ...)", s)
				return
			}
			d.b.Lang = s
		}
	case "group":
		if s, ok := d.scalar(name, vline, v); ok {
			if !slugRE.MatchString(s) {
				d.c.add(vline, name, KindBadGroup, "%q is not a valid group (want lowercase letters, digits and dashes)", s)
				return
			}
			d.b.Group = s
		}
	case "channels":
		d.channels(vline, v)
	case "publish_at":
		if t, ok := d.time(name, vline, v); ok {
			d.b.PublishAt = &t
		}
	case "urgent":
		if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
			d.c.add(vline, name, KindNotBool, "want true or false, got %q", v.Value)
			return
		}
		_ = v.Decode(&d.b.Urgent) // a !!bool scalar always decodes
	case "tags":
		d.tags(vline, v)
	case "live":
		d.live(line, v)
	case "alert":
		d.alert(line, v)
	default:
		if s := closest(name, knownFields); s != "" {
			d.c.add(line, name, KindUnknownHint, "unknown field (did you mean %s?)", s)
			return
		}
		d.c.add(line, name, KindUnknownField, "unknown field (known: %s)", strings.Join(knownFields, ", "))
	}
}

func (d *decoder) scalar(name string, line int, v *yaml.Node) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		d.c.add(line, name, KindNotSingle, "want a single value")
		return "", false
	}
	s := strings.TrimSpace(v.Value)
	if v.Tag == "!!null" || s == "" {
		d.c.add(line, name, KindEmpty, "empty")
		return "", false
	}
	return s, true
}

func (d *decoder) title(name string, line int, s string) string {
	if strings.ContainsAny(s, "\n\r") {
		d.c.add(line, name, KindMultiline, "must be one line")
		return ""
	}
	if n := utf8.RuneCountInString(s); n > MaxTitleRunes {
		d.c.add(line, name, KindTooLong, "%d characters, over the limit of %d", n, MaxTitleRunes)
		return ""
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		d.c.add(line, name, KindControl, "contains a control character")
		return ""
	}
	return s
}

func (d *decoder) time(name string, line int, v *yaml.Node) (time.Time, bool) {
	s, ok := d.scalar(name, line, v)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		d.c.add(line, name, KindNotTime, "not a time (want %s)", TimeLayout)
		return time.Time{}, false
	}
	return t, true
}

func (d *decoder) list(name string, line int, v *yaml.Node) ([]*yaml.Node, bool) {
	switch v.Kind {
	case yaml.SequenceNode:
		return v.Content, true
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			d.c.add(line, name, KindEmpty, "empty")
			return nil, false
		}
		return []*yaml.Node{v}, true
	}
	d.c.add(line, name, KindNotList, "want a list, e.g. [a, b]")
	return nil, false
}

func (d *decoder) channels(line int, v *yaml.Node) {
	items, ok := d.list("channels", line, v)
	if !ok {
		return
	}
	if len(items) == 0 {
		d.c.add(line, "channels", KindNoChannel, "empty (name at least one of %s)", strings.Join(KnownChannels, ", "))
		return
	}
	chans := []string{}
	for _, it := range items {
		s := strings.TrimSpace(it.Value)
		switch {
		case it.Kind != yaml.ScalarNode:
			d.c.add(it.Line+1, "channels", KindNotChannel, "want channel names, e.g. [telegram, web]")
		case !slices.Contains(KnownChannels, s):
			d.c.add(it.Line+1, "channels", KindUnknownChannel, "unknown channel %q (want %s)", s, strings.Join(KnownChannels, ", "))
		case slices.Contains(chans, s):
			d.c.add(it.Line+1, "channels", KindChannelTwice, "%q given twice", s)
		default:
			chans = append(chans, s)
		}
	}
	d.b.Channels = chans
}

func (d *decoder) tags(line int, v *yaml.Node) {
	items, ok := d.list("tags", line, v)
	if !ok {
		return
	}
	if len(items) > MaxTags {
		d.c.add(line, "tags", KindTooMany, "%d tags, over the limit of %d", len(items), MaxTags)
		return
	}
	for _, it := range items {
		s := strings.TrimSpace(it.Value)
		if it.Kind != yaml.ScalarNode || s == "" || strings.ContainsAny(s, "\n,") {
			d.c.add(it.Line+1, "tags", KindBadTag, "want short words, e.g. [salut, mobilitat]")
			continue
		}
		d.b.Tags = append(d.b.Tags, s)
	}
}

func (d *decoder) live(line int, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		d.c.add(line, "live", KindNotLiveBlock, "want a block with start: and title:")
		return
	}
	l := &Live{}
	hasStart := false
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		kl := k.Line + 1
		switch k.Value {
		case "start":
			hasStart = true
			if t, ok := d.time("live: start", kl, val); ok {
				l.Start = t
			}
		case "title":
			if s, ok := d.scalar("live: title", kl, val); ok {
				l.Title = d.title("live: title", kl, s)
			}
		default:
			d.c.add(kl, "live: "+k.Value, KindUnknownField, "unknown field (known: %s)", "start, title")
		}
	}
	if !hasStart {
		d.c.add(line, "live: start", KindNoStart, "missing (when does the broadcast begin?)")
	}
	d.b.Live = l
}

// closest returns the known name within two edits of s, for "did you mean" hints.
func closest(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if dist := levenshtein(s, k); dist < bestD {
			best, bestD = k, dist
		}
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
