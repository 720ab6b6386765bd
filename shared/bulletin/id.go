package bulletin

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrBadID is wrapped by CheckID's errors, so callers at the edge (an HTTP route, a CLI
// argument) can answer "bad request" rather than "failed".
var ErrBadID = errors.New("bad bulletin id")

// IDRule is the slug rule in words, for error messages staff read.
const IDRule = "lowercase letters a-z, digits and single hyphens, not at either end, at most 80 characters"

// CheckID reports whether id may name a bulletin. Every entry that takes an id (files,
// routes, arguments) and every helper that builds a bus subject or key from one checks
// it: a "*" or ">" in a subject would address every bulletin, a "." another key.
func CheckID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty (want %s)", ErrBadID, IDRule)
	case !slugRE.MatchString(id):
		return fmt.Errorf("%w: %q (want %s)", ErrBadID, truncate(id, 40), IDRule)
	case len(id) > MaxIDLen: // a slug is ASCII: bytes are characters
		return fmt.Errorf("%w: %d characters (want %s)", ErrBadID, len(id), IDRule)
	}
	return nil
}

// truncate keeps error messages short when the input is long or hostile.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
