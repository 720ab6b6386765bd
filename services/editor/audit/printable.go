package audit

import (
	"strconv"
	"strings"
	"unicode"
)

// printable is s as the audit log keeps it: unchanged when it is plain text; quoted with
// Go escapes when it holds a control or format character (a NUL, CR LF, a right-to-left
// override), so a hostile name typed at a door can neither forge a line of the log nor
// show as something it is not where the log is read.
func printable(s string) string {
	if strings.IndexFunc(s, hostile) < 0 {
		return s
	}
	return strconv.QuoteToASCII(s)
}

func hostile(r rune) bool {
	return (unicode.IsControl(r) && r != '\t') || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar
}

// cleaned is e with its free-text fields made printable.
func (e Event) cleaned() Event {
	e.Actor, e.Target, e.Detail, e.Remote = printable(e.Actor), printable(e.Target), printable(e.Detail), printable(e.Remote)
	return e
}
