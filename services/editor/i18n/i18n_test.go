package i18n

import (
	"strings"
	"testing"
	"time"
)

// Every catalogue has every key, and none is blank: a missing word would show the
// key to staff.
func TestCataloguesHaveSameKeys(t *testing.T) {
	all := tables()
	for l, table := range all {
		for k, v := range table {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %q is empty", l, k)
			}
			for other, ot := range all {
				if _, ok := ot[k]; !ok {
					t.Errorf("%q is in %s but not in %s", k, l, other)
				}
			}
			// The same placeholders in every language, so no argument goes missing.
			if want := verbs(all[English][k]); verbs(v) != want && all[English][k] != "" {
				t.Errorf("%s %q: placeholders %q, English has %q", l, k, verbs(v), want)
			}
		}
	}
}

func verbs(s string) string {
	var out []string
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '%' {
			out = append(out, s[i:i+2])
			i++
		}
	}
	return strings.Join(out, " ")
}

func TestMatch(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		header string
		want   Lang
	}{
		{"", Catalan},
		{"ca", Catalan},
		{"es-ES,es;q=0.9", Spanish},
		{"en-US,en;q=0.9", English},
		{"fr-FR,fr;q=0.9", Catalan},
		{"fr,es;q=0.5", Spanish},
		{"de,en;q=0.3,ca;q=0.8", Catalan},
		{"not a header;;", Catalan},
	} {
		if got := c.Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestTranslate(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang Lang
		msg  Msg
		want string
	}{
		{Catalan, M("state.dead"), "no s'ha pogut lliurar"},
		{Spanish, M("state.delivered"), "entregado"},
		{English, M("detail.rev", 2, M("action.edit"), "anna", "14/03/2020 21:00"), "Revision 2: edit by anna at 14/03/2020 21:00"},
		{Catalan, M("admin.roleSet", "pau", M("role.writer")), "El compte pau ara és redactor, a partir de la seva propera petició."},
		{Catalan, Raw("Mesures de confinament"), "Mesures de confinament"},
		{"xx", M("nav.logout"), "Surt"},
	} {
		if got := c.Msg(tt.lang, tt.msg); got != tt.want {
			t.Errorf("%s %v: %q, want %q", tt.lang, tt.msg, got, tt.want)
		}
	}
	if got := c.Word(Catalan, "state", "exploded"); got != "exploded" {
		t.Errorf("unknown word: %q", got)
	}
}

func TestDate(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2020, 3, 14, 20, 0, 0, 0, time.UTC), "14/03/2020 21:00"}, // winter: UTC+1
		{time.Date(2020, 7, 1, 22, 30, 0, 0, time.UTC), "02/07/2020 00:30"}, // summer: UTC+2
		{time.Time{}, "—"},
	} {
		if got := Date(tt.at, madrid); got != tt.want {
			t.Errorf("Date(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"ca": Catalan, "ES": Spanish, "en_US.UTF-8": English, "ca-ES": Catalan} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "fr", "C", "POSIX"} {
		if _, ok := Parse(in); ok {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}

// A key defined in two tables would show whichever was merged last: every key has one
// home.
func TestNoKeyDefinedTwice(t *testing.T) {
	if o := overlaps(); len(o) > 0 {
		t.Errorf("keys defined in more than one table: %v", o)
	}
}
