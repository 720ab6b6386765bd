package accounts

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxName is the longest account or token name, in characters.
const MaxName = 64

// asciiKeyRE is the name rule of editors before accented names: such a name is its own
// bucket key, as it always was, so existing accounts are found without a migration.
var asciiKeyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// encodedPrefix starts the key of every other name. No old name starts with it, and
// base64url never yields it, so the two kinds of key cannot meet.
const encodedPrefix = "="

// reservedPrefix starts the bucket's own records (the first-run link): no name's key
// starts with it.
const reservedPrefix = "_"

// NormalizeName is the one form of a name: lower case and Unicode NFC, so "Pérez",
// "pérez" and "pe\u0301rez" are one account.
func NormalizeName(name string) string {
	return norm.NFC.String(strings.ToLower(name))
}

// CheckName checks an account or token name: letters of any script, digits, '.', '-'
// and '_', at most MaxName characters, starting with a letter or digit. Upper case is
// folded (NormalizeName) rather than refused. Each refusal says what is wrong, so the
// form can show it at its field.
func CheckName(name string) error {
	switch {
	case name == "":
		return &RuleError{Key: "rule.nameEmpty", Args: []any{MaxName},
			Text: fmt.Sprintf("name: empty (want 1 to %d letters, digits, '.', '-' or '_')", MaxName)}
	case !utf8.ValidString(name):
		return &RuleError{Key: "rule.nameUTF8", Text: "name: not valid UTF-8 text"}
	case strings.TrimSpace(name) != name:
		return &RuleError{Key: "rule.nameSpaceEnds", Args: []any{name}, Text: fmt.Sprintf("name %q: starts or ends with a space (want none)", name)}
	}
	n := NormalizeName(name)
	if c := utf8.RuneCountInString(n); c > MaxName {
		return &RuleError{Key: "rule.nameTooLong", Args: []any{c, MaxName}, Text: fmt.Sprintf("name: %d characters (want at most %d)", c, MaxName)}
	}
	for i, r := range n {
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			at := utf8.RuneCountInString(n[:i]) + 1
			return &RuleError{Key: "rule.nameControl", Args: []any{at},
				Text: fmt.Sprintf("name: a control character at position %d (want letters, digits, '.', '-' or '_')", at)}
		case unicode.IsSpace(r):
			return &RuleError{Key: "rule.nameSpaceInside", Args: []any{name},
				Text: fmt.Sprintf("name %q: a space inside (want letters, digits, '.', '-' or '_'; for example anna.puig)", name)}
		case i == 0 && !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return &RuleError{Key: "rule.nameStart", Args: []any{name, string(r)},
				Text: fmt.Sprintf("name %q: starts with %q (want a letter or digit first)", name, r)}
		case unicode.IsLetter(r), unicode.IsDigit(r), unicode.Is(unicode.M, r), r == '.', r == '-', r == '_':
		default:
			return &RuleError{Key: "rule.nameChar", Args: []any{name, string(r)},
				Text: fmt.Sprintf("name %q: %q is not allowed (want letters, digits, '.', '-' or '_')", name, r)}
		}
	}
	return nil
}

// RuleError is a refusal by the accounts rules — a name, a password, a role — that the
// member can fix. Text is its English, for logs, the audit log and clients that ask
// for no language; Key and Args are the same words in the editor's catalogue
// (services/editor/i18n), so the Accounts and first-run pages and the API say it in
// the reader's language; an argument that is a Word is put in the reader's words too.
// Err, when set, is a sentinel it also is (ErrExists).
type RuleError struct {
	Key  string
	Args []any
	Text string
	Err  error
}

func (e *RuleError) Error() string { return e.Text }

func (e *RuleError) Unwrap() error { return e.Err }

// Word is an argument of a RuleError that the catalogue has words for — a role, a
// scope — so the reader sees "publicador" rather than the code; as text it is the code.
type Word struct{ Kind, Value string }

func (w Word) String() string { return w.Value }

// userKey is the ACCOUNTS bucket key of a name (checked and normalised): the name
// itself when it keeps the old ASCII rule, else "=" and its UTF-8 in base64url without
// padding, since a bucket key may hold only [-/_=.a-zA-Z0-9].
func userKey(name string) string {
	if asciiKeyRE.MatchString(name) {
		return name
	}
	return encodedPrefix + base64.RawURLEncoding.EncodeToString([]byte(name))
}

// isUserKey tells an account's key from the bucket's own records.
func isUserKey(key string) bool { return !strings.HasPrefix(key, reservedPrefix) }
