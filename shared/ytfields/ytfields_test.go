package ytfields_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/markdown"
	"github.com/paeria/pregoner/shared/ytfields"
)

// pad makes s exactly n characters long with Catalan filler.
func pad(s string, n int) string {
	for utf8.RuneCountInString(s) < n {
		s += "·"
	}
	return s
}

// lockdown is when the tests take place: Lleida, March 2020.
var lockdown = time.Date(2020, 3, 14, 10, 0, 0, 0, time.FixedZone("CET", 3600))

const webBase = "https://lleida.test/covid"

func TestCheckBulletinAppliesYouTubesRules(t *testing.T) {
	now := lockdown
	announcement := func(title, body string, start time.Duration) *bulletin.Bulletin {
		return &bulletin.Bulletin{ID: "avis", Title: "Avís", Body: body,
			Live: &bulletin.Live{Title: title, Start: now.Add(start)}}
	}
	emoji100 := pad("Roda de premsa 🎙️ del paer en cap: l'evolució de la COVID-19 a Lleida 🦠", 100)
	tests := []struct {
		name string
		b    *bulletin.Bulletin
		want []string // substrings of the errors, in order; none for a bulletin YouTube takes
	}{
		{"no_live_block_is_not_checked", &bulletin.Bulletin{ID: "x", Title: strings.Repeat("x", 300), Body: "<b>"}, nil},
		{"catalan_title_with_emoji_at_100_characters", announcement(emoji100, "Informació sobre l'àrea sanitària.", time.Hour), nil},
		{"title_at_101_characters", announcement(emoji100+"!", "", time.Hour), []string{"live: title: 101 characters is over YouTube's limit of 100"}},
		{"title_with_less_than", announcement("Contagis < 10", "", time.Hour), []string{"live: title: contains < or >"}},
		{"title_with_greater_than", announcement("Ocupació UCI > 90%", "", time.Hour), []string{"live: title: contains < or >"}},
		{"blank_title", &bulletin.Bulletin{ID: "avis", Title: "  ", Live: &bulletin.Live{Start: now.Add(time.Hour)}},
			[]string{"live: title: empty"}},
		{"live_title_falls_back_to_the_bulletin_title", &bulletin.Bulletin{ID: "avis", Title: "Avís <urgent>",
			Live: &bulletin.Live{Start: now.Add(time.Hour)}}, []string{"contains < or >"}},
		{"body_with_greater_than_on_line_3", announcement("Dades", "Primer.\n\nSegon: casos > 100.", time.Hour),
			[]string{`body: line 3 of the text contains '>'`}},
		{"body_with_raw_html", announcement("Dades", "Vegeu <b>això</b>", time.Hour), []string{"body: line 1"}},
		{"body_autolink_shows_without_brackets", announcement("Dades", "Més a <https://www.paeria.cat>.", time.Hour), nil},
		{"body_blockquote_marker_is_not_text", announcement("Dades", "> Citació del paer.", time.Hour), nil},
		{"start_now_is_not_future", announcement("Ara", "", 0), []string{"live: start: 2020-03-14T10:00:00+01:00 is not in the future"}},
		{"start_one_second_ahead", announcement("Aviat", "", time.Second), nil},
		{"every_problem_at_once", announcement(strings.Repeat("<", 101), "a > b", -time.Minute),
			[]string{"101 characters", "contains < or >", "body", "not in the future"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := ytfields.CheckBulletin(tc.b, now)
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors %v, want %d: %q", len(errs), errs, len(tc.want), tc.want)
			}
			for i, err := range errs {
				if !strings.Contains(err.Error(), tc.want[i]) {
					t.Errorf("error %d = %q, want it to contain %q", i, err, tc.want[i])
				}
				if fe := bulletin.AsErrors(err); len(fe) != 1 || fe[0].Field == "" {
					t.Errorf("error %q is not a field error the editor can place", err)
				}
			}
		})
	}
}

func TestDescriptionFitsYouTubeAndLinksToTheWholeBulletin(t *testing.T) {
	md := markdown.New()
	const link = webBase + "/bulletins/avis"
	tail := "\n\n" + link
	budget := ytfields.MaxDescriptionBytes - len(tail)
	word := "confinament "
	fit := strings.Repeat(word, budget/len(word))
	fit += strings.Repeat("x", budget-len(fit))
	tests := []struct {
		name      string
		body      string
		shortened bool
	}{
		{"short_text_kept_whole", "El **paer** informa.", false},
		{"empty_body_is_the_link_alone", "", false},
		{"exactly_at_the_limit", fit, false},
		{"one_byte_over_is_cut_at_a_word", fit + "y", true},
		{"catalan_accents_cut_between_words", strings.Repeat("Informació àmplia sobre l'evolució ", 300), true},
		{"emoji_never_split", strings.Repeat("😷🧼", 2000), true},
		{"one_endless_word", strings.Repeat("à", 4000), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &bulletin.Bulletin{ID: "avis", Body: tc.body}
			d := ytfields.Description(md, b, link)
			if len(d) > ytfields.MaxDescriptionBytes || !utf8.ValidString(d) {
				t.Fatalf("description of %d bytes (valid UTF-8: %v), limit %d", len(d), utf8.ValidString(d), ytfields.MaxDescriptionBytes)
			}
			if !strings.HasSuffix(d, link) || strings.Contains(d, "[pregoner:") {
				t.Errorf("description does not end with the permalink, or shows viewers an internal marker: …%q", d[max(0, len(d)-120):])
			}
			if !ytfields.Announces(d, link, "avis") {
				t.Error("the worker would not recognise this description as the bulletin's")
			}
			text := strings.TrimSuffix(strings.TrimSuffix(d, tail), link)
			if got := strings.HasSuffix(text, ytfields.Ellipsis); got != tc.shortened {
				t.Fatalf("shortened = %v, want %v", got, tc.shortened)
			}
			plain := md.PlainText([]byte(tc.body))
			if !tc.shortened {
				if text != plain {
					t.Errorf("text = %q, want the whole plain text %q", text, plain)
				}
				return
			}
			kept := strings.TrimSuffix(text, ytfields.Ellipsis)
			if !strings.HasPrefix(plain, kept) {
				t.Fatal("shortened text is not a prefix of the plain text")
			}
			if next := plain[len(kept)]; strings.Contains(tc.body, " ") && next != ' ' {
				t.Errorf("cut inside a word: …%q|%q", kept[max(0, len(kept)-20):], plain[len(kept):len(kept)+10])
			}
		})
	}
}

func FuzzDescriptionAlwaysFits(f *testing.F) {
	f.Add("El **paer en cap** informa.")
	f.Add(strings.Repeat("Queda't a casa 🏠 ", 400))
	md := markdown.New()
	f.Fuzz(func(t *testing.T, body string) {
		if !utf8.ValidString(body) {
			return // bulletin.Parse refuses such files
		}
		d := ytfields.Description(md, &bulletin.Bulletin{ID: "fuzz", Body: body}, webBase+"/bulletins/fuzz")
		if len(d) > ytfields.MaxDescriptionBytes || !utf8.ValidString(d) || !strings.HasSuffix(d, webBase+"/bulletins/fuzz") ||
			!ytfields.Announces(d, webBase+"/bulletins/fuzz", "fuzz") {
			t.Errorf("description of %d bytes, valid %v, ends %q", len(d), utf8.ValidString(d), d[max(0, len(d)-30):])
		}
	})
}

// TestAnnouncesRecognisesOnlyItsOwnBulletin: the worker finds the broadcast an earlier
// attempt made by its description alone, so a neighbour's — a longer id, a link in
// the text, another site — must never pass for it, while one an older version made,
// with the legacy marker, still must.
func TestAnnouncesRecognisesOnlyItsOwnBulletin(t *testing.T) {
	md := markdown.New()
	link := func(id string) string { return ytfields.Permalink(webBase, id) }
	desc := func(id, body string) string {
		return ytfields.Description(md, &bulletin.Bulletin{ID: id, Body: body}, link(id))
	}
	// legacy is a description as versions before the permalink became the link wrote it.
	legacy := func(id, body string) string {
		return body + "\n\n" + link(id) + "\n" + ytfields.LegacyMarker(id)
	}
	long := strings.Repeat("Informació àmplia sobre l'evolució ", 300)
	tests := []struct {
		name string
		desc string
		id   string // the bulletin looked for
		want bool
	}{
		{"its_own", desc("a-b", "Roda de premsa."), "a-b", true},
		{"its_own_without_a_body", desc("a-b", ""), "a-b", true},
		{"its_own_shortened_to_5000_bytes", desc("a-b", long), "a-b", true},
		{"trailing_space_or_crlf_added_on_the_way", strings.ReplaceAll(desc("a-b", "Text."), "\n", "\r\n") + " \n", "a-b", true},
		{"a_longer_id_is_not_it", desc("a-b-c", "Roda de premsa."), "a-b", false},
		{"a_shorter_id_is_not_it", desc("a-b", "Roda de premsa."), "a-b-c", false},
		{"a_link_to_it_in_another_bulletins_text", desc("a-b-c", "Vegeu "+link("a-b")+"\n\nMés."), "a-b", false},
		{"its_link_followed_by_staff_text", desc("a-b", "Text.") + "\nAfegit a YouTube Studio.", "a-b", false},
		{"another_sites_permalink", "Text.\n\nhttps://other.test/bulletins/a-b", "a-b", false},
		{"legacy_marker", legacy("a-b", "Roda de premsa."), "a-b", true},
		{"legacy_marker_of_a_longer_id", legacy("a-b-c", "Roda de premsa."), "a-b", false},
		{"legacy_marker_of_a_shorter_id", legacy("a-b", "Roda de premsa."), "a-b-c", false},
		{"legacy_marker_under_another_base_url", "Text.\n\nhttp://127.0.0.1:8081/bulletins/a-b\n[pregoner:a-b]", "a-b", true},
		{"empty", "", "a-b", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ytfields.Announces(tc.desc, link(tc.id), tc.id); got != tc.want {
				t.Errorf("Announces(…%q, %s) = %v, want %v", tc.desc[max(0, len(tc.desc)-60):], tc.id, got, tc.want)
			}
		})
	}
	if ytfields.Announces("Text.", "", "a-b") {
		t.Error("an empty permalink matched a description without one")
	}
}
