package tghtml_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/tghtml"
)

// TestFirstMessageCarriesBody: whatever the body starts with, and however long its
// first block, a reader of the first message sees the title and body text with it.
func TestFirstMessageCarriesBody(t *testing.T) {
	long := strings.Repeat("confinament i mesures de la Paeria ", 150) // ≈ 5000 units, one paragraph
	row := strings.Repeat("x", 60)
	start := time.Date(2020, 3, 16, 11, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		body string
		live bool
		want string // the body text part 1 must start with, after the title (and live line)
		// fill: part 1 is (nearly) full; a whole short first paragraph may instead end
		// it, the next paragraph starting part 2, as paragraphs are cut between.
		fill bool
	}{
		{"long_first_paragraph", long + "\n\nSegon paràgraf.", false, "confinament i mesures", true},
		{"long_paragraph_after_live_line", long, true, "confinament i mesures", true},
		{"short_paragraph_then_long_one", "Primer.\n\n" + long, false, "Primer.\n(1/3)", false},
		{"long_first_list", strings.Repeat("- "+row+"\n", 80), false, "• " + row, true},
		{"long_first_code_block", "```\n" + strings.Repeat(row+"\n", 80) + "```", false, row, true},
		{"one_unbroken_word", strings.Repeat("x", 5000), false, "xxxx", true},
	}
	r := tghtml.NewRenderer(testBase)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &bulletin.Bulletin{ID: "b", Title: "Títol del comunicat", Lang: "ca", Body: tt.body}
			head := "Títol del comunicat\n\n"
			if tt.live {
				b.Live = &bulletin.Live{Start: start}
				head += "🔴 Emissió en directe: dilluns 16/03/2020 a les 12:00\n\n"
			}
			parts := r.Messages(b, testBase+"/bulletins/b")
			if len(parts) < 2 {
				t.Fatalf("want a split bulletin, got %d part(s)", len(parts))
			}
			m, err := tghtml.Validate(parts[0], tghtml.MaxMessage)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(m.Text, head+tt.want) {
				t.Errorf("part 1 reads %q…, want it to start %q", m.Text[:min(len(m.Text), 200)], head+tt.want)
			}
			// As much as fits: part 1 is not cut much short of the limit.
			if n := tghtml.Units(m.Text); tt.fill && n < tghtml.MaxMessage-200 {
				t.Errorf("part 1 holds %d units; the body could fill it", n)
			}
		})
	}
}

// TestLiveStart: the start of a broadcast reads in the bulletin's language and in
// Madrid time, whatever offset the file gave, summer time included.
func TestLiveStart(t *testing.T) {
	tests := []struct {
		name, lang string
		start      time.Time
		want       string
	}{
		{"catalan_winter_from_utc", "ca", time.Date(2020, 3, 16, 11, 0, 0, 0, time.UTC), "🔴 Emissió en directe: dilluns 16/03/2020 a les 12:00"},
		{"spanish", "es", time.Date(2020, 3, 16, 12, 0, 0, 0, time.FixedZone("", 3600)), "🔴 Emisión en directo: lunes 16/03/2020 a las 12:00"},
		{"summer_time", "es", time.Date(2020, 4, 2, 10, 30, 0, 0, time.UTC), "🔴 Emisión en directo: jueves 02/04/2020 a las 12:30"},
		{"date_changes_in_madrid", "ca", time.Date(2020, 3, 21, 23, 30, 0, 0, time.UTC), "🔴 Emissió en directe: diumenge 22/03/2020 a les 00:30"},
		{"offset_of_elsewhere", "ca", time.Date(2020, 3, 16, 7, 0, 0, 0, time.FixedZone("", -4*3600)), "dilluns 16/03/2020 a les 12:00"},
		{"english", "en", time.Date(2020, 3, 16, 11, 0, 0, 0, time.UTC), "🔴 Live broadcast: Monday 16/03/2020 at 12:00"},
		{"other_language_reads_catalan", "oc", time.Date(2020, 3, 16, 11, 0, 0, 0, time.UTC), "Emissió en directe: dilluns 16/03/2020 a les 12:00"},
	}
	r := tghtml.NewRenderer(testBase)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &bulletin.Bulletin{ID: "b", Title: "Roda de premsa", Lang: tt.lang, Body: "Text.",
				Live: &bulletin.Live{Start: tt.start, Title: "Roda"}}
			parts := r.Messages(b, "")
			m, err := tghtml.Validate(parts[0], tghtml.MaxMessage)
			if err != nil {
				t.Fatal(err)
			}
			if want := "Roda de premsa\n\n"; !strings.HasPrefix(m.Text, want) {
				t.Errorf("text %q does not start with the title", m.Text)
			}
			if !strings.Contains(m.Text, tt.want+"\n\nText.") {
				t.Errorf("text %q lacks %q right before the body", m.Text, tt.want)
			}
		})
	}
}

func TestNoLiveLineWithoutLive(t *testing.T) {
	b := &bulletin.Bulletin{ID: "b", Title: "Títol", Lang: "ca", Body: "Text."}
	if html := tghtml.NewRenderer("").Render(b, ""); html != "<b>Títol</b>\n\nText." {
		t.Errorf("html = %q", html)
	}
}
