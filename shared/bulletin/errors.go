package bulletin

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// FieldError is one problem in a bulletin file, placed by file, line and field so that
// staff can go straight to it: "content/x.md:3: publish_at: not a time (...)".
type FieldError struct {
	File  string
	Line  int    // 1-based; 0 when the problem is the whole file
	Field string // front-matter field, "body", or "" for the file itself
	Msg   string
	// Kind names the problem for a program (see the Kind constants in kinds.go), so
	// the editor can put it in staff's own language without reading Msg's English.
	// Empty for a FieldError made elsewhere (ytfields, a client).
	Kind string
	// Args are the values Msg names, in its order: a count or limit (int), the value
	// given or the allowed values (string), a time (time.Time, to be written in the
	// reader's way rather than as RFC 3339).
	Args []any
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file, in line order. Parse reports them all at
// once so a writer fixes a file in one pass.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// AsErrors returns the field errors inside err, or nil when err holds none.
func AsErrors(err error) Errors {
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return Errors{fe}
	}
	return nil
}

type collector struct {
	file string
	errs Errors
}

// add records a problem of the given kind; args fill format and are kept as Args.
func (c *collector) add(line int, field, kind, format string, args ...any) {
	c.errs = append(c.errs, &FieldError{File: c.file, Line: line, Field: field, Kind: kind, Args: args, Msg: fmt.Sprintf(format, args...)})
}

func (c *collector) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	sort.SliceStable(c.errs, func(i, j int) bool { return c.errs[i].Line < c.errs[j].Line })
	return c.errs
}

// lastArgs replaces the Args of the problem just added, when Msg needs its values
// written differently from how a program wants them (a time as RFC 3339).
func (c *collector) lastArgs(args ...any) { c.errs[len(c.errs)-1].Args = args }
