package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/schedule"
)

// Slug is the id a title suggests: lowercase ASCII letters and digits joined by single
// hyphens, at most bulletin.MaxIDLen characters, cut at a word boundary when it can
// be. Accents are folded rather than dropped, so "Mesures de confinament a Lleida"
// and "Reobertura dels col·legis" read as themselves in the page's address. It is ""
// when the title has no letter or digit.
func Slug(title string) string {
	return slugMax(title, bulletin.MaxIDLen)
}

func slugMax(title string, limit int) string {
	var b strings.Builder
	hyphen := false
	// NFD splits "à" into "a" and a combining grave, which is then left out.
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining mark: the accent of the letter before it
		case r == '·' || r == '\u2027':
			// the Catalan "ela geminada" (col·legi): the l's join, as in "collegi"
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			if r, ok := folded[r]; ok {
				if hyphen && b.Len() > 0 {
					b.WriteByte('-')
				}
				hyphen = false
				b.WriteString(r)
				continue
			}
			hyphen = true // spaces, apostrophes, punctuation and what has no ASCII form
		}
	}
	s := b.String()
	if len(s) <= limit {
		return s
	}
	s = s[:limit]
	if i := strings.LastIndexByte(s, '-'); i > limit/2 {
		s = s[:i] // a whole word rather than half of one, when that keeps most of it
	}
	return strings.Trim(s, "-")
}

// folded are letters that NFD does not split into an ASCII letter and an accent.
var folded = map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ı': "i"}

// maxSuffix is how many ids SuggestID tries before it gives up on a title.
const maxSuffix = 99

// SuggestID is the id the title suggests for a new bulletin, made unique against
// every id in use — published (retracted too: its address was public), scheduled or
// kept as a draft — by a suffix -2, -3...; "" when the title gives no slug. Staff may
// change it: it is only filled in where the id is empty.
func (d *Desk) SuggestID(ctx context.Context, title string) (string, error) {
	base := Slug(title)
	if base == "" {
		return "", nil
	}
	for n := 1; n <= maxSuffix; n++ {
		id := base
		if n > 1 {
			suffix := fmt.Sprintf("-%d", n)
			id = slugMax(base, bulletin.MaxIDLen-len(suffix)) + suffix
		}
		used, err := d.idInUse(ctx, id)
		if err != nil {
			return "", fmt.Errorf("suggest an id for %q: %w", title, err)
		}
		if !used {
			return id, nil
		}
	}
	return "", nil // so many alike that a number would not help: staff choose
}

// idInUse reports whether id names a published bulletin, a schedule or a draft.
func (d *Desk) idInUse(ctx context.Context, id string) (bool, error) {
	if _, _, err := d.pub.Latest(ctx, id); err == nil {
		return true, nil
	} else if !errors.Is(err, bus.ErrNotFound) {
		return false, err
	}
	if d.sched != nil {
		if _, err := d.sched.Get(ctx, id); err == nil {
			return true, nil
		} else if !errors.Is(err, schedule.ErrNotFound) {
			return false, err
		}
	}
	return d.hasDrafts(ctx, id)
}
