package tghtml_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/tghtml"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const testBase = "https://covid.paeria.cat"

// partSep separates the messages of one bulletin in a golden file.
const partSep = "\n======== next message ========\n"

func load(t testing.TB, path string) *bulletin.Bulletin {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bulletin.Parse(filepath.Base(path), src, bulletin.Options{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// TestGolden renders realistic bulletins and compares every message with the golden
// file; each message must also pass the strict validator and fit Telegram's limit.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.md")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	r := tghtml.NewRenderer(testBase)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".md")
		t.Run(name, func(t *testing.T) {
			b := load(t, f)
			parts := r.Messages(b, testBase+"/bulletins/"+b.ID)
			for i, p := range parts {
				if _, err := tghtml.Validate(p, tghtml.MaxMessage); err != nil {
					t.Errorf("message %d of %d refused: %v\n%s", i+1, len(parts), err, p)
				}
			}
			got := strings.Join(parts, partSep) + "\n"
			golden := strings.TrimSuffix(f, ".md") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("rendering of %s changed:\n--- got\n%s\n--- want\n%s", f, got, want)
			}
		})
	}
}

// TestWhatCitizensSee checks, on the text Telegram shows after parsing, the things a
// reader would notice.
func TestWhatCitizensSee(t *testing.T) {
	r := tghtml.NewRenderer(testBase)
	shown := func(t *testing.T, file string) string {
		t.Helper()
		b := load(t, file)
		var text strings.Builder
		for _, p := range r.Messages(b, testBase+"/bulletins/"+b.ID) {
			m, err := tghtml.Validate(p, tghtml.MaxMessage)
			if err != nil {
				t.Fatal(err)
			}
			text.WriteString(m.Text)
		}
		return text.String()
	}
	tests := []struct {
		name, file string
		want       []string
		not        []string
	}{
		{"typed_html_and_entities_show_literally", "testdata/escapes.md",
			[]string{`<script>alert("hola")</script>`, "&amp; &lt; &copy; &#65; and a lone & too", `<b>no és negreta</b>`, "*asterisks* and <brackets>", "Text amb <script> & \"cometes\""},
			[]string{"alert(1)</a>"}},
		{"unsafe_links_keep_their_words", "testdata/escapes.md", []string{"clica", "foto"}, []string{"javascript:"}},
		{"nested_lists_are_indented_lines", "testdata/confinament.md",
			[]string{"1. Comprar aliments", "2. Anar al centre sanitari:\n   ◦ CAP Rambla Ferran", "      • Urgències: només casos greus", "3. Anar a treballar"}, nil},
		{"title_first_and_permalink_last", "testdata/confinament.md",
			[]string{"Mesures de confinament a Lleida\n\n", "🔗 Més informació: " + testBase + "/bulletins/2020-03-14-confinament"}, nil},
		{"spanish_label", "testdata/suspension.md", []string{"Más información:", "🙏"}, nil},
		{"hard_break_kept_soft_break_joined", "testdata/suspension.md", []string{"BOP.\nGracias", "Bibliotecas municipales: cerradas.\n• Pabellones"}, nil},
		{"tables_are_aligned_columns", "testdata/codi-i-taules.md",
			[]string{"Centre Històric                              | 12    | +2\n", "La Bordeta & Magraners                       | 3     | =", "Pardinyes (https://www.paeria.cat/pardinyes) | 5     | +0"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := shown(t, tt.file)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("citizens should see %q in:\n%s", w, text)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(text, w) {
					t.Errorf("citizens should not see %q in:\n%s", w, text)
				}
			}
		})
	}
}

func TestLinksKeepAmpersandsAndUnderscores(t *testing.T) {
	r := tghtml.NewRenderer(testBase)
	b := load(t, "testdata/escapes.md")
	html := r.Render(b, "")
	for _, want := range []string{
		`<a href="https://seu.paeria.cat/tramits?id=12&amp;tipus=a_b_c">tràmits</a>`,
		`<a href="https://www.paeria.cat/ca/covid_19?x=1&amp;y=2">https://www.paeria.cat/ca/covid_19?x=1&amp;y=2</a>`,
		`<a href="mailto:covid19@paeria.cat">covid19@paeria.cat</a>`,
		`<a href="` + testBase + `/bulletins/2020-03-14-confinament">el butlletí anterior</a>`,
		`🖼 <a href="https://www.paeria.cat/img/mapa_caps.png">Mapa dels CAP</a>`,
		`🖼 <a href="https://www.paeria.cat/img/buit.png">imatge</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s in\n%s", want, html)
		}
	}
	if strings.Contains(html, "#a") {
		t.Errorf("an in-page anchor is not a link on Telegram: %s", html)
	}
}

func TestBulletinWithoutBodyStillHasTitleAndLink(t *testing.T) {
	r := tghtml.NewRenderer("")
	b := &bulletin.Bulletin{ID: "x", Title: "Només títol", Lang: "ca", Body: "<!-- -->"}
	parts := r.Messages(b, "http://127.0.0.1:8081/bulletins/x")
	if len(parts) != 1 {
		t.Fatalf("parts = %q", parts)
	}
	if _, err := tghtml.Validate(parts[0], tghtml.MaxMessage); err != nil {
		t.Fatal(err)
	}
}

// TestCouncilContentIsAccepted renders every bulletin in the repository's content/
// directory: each message must pass the validator, in Catalan and Spanish alike.
func TestCouncilContentIsAccepted(t *testing.T) {
	files, _ := filepath.Glob("../../content/*.md")
	if len(files) == 0 {
		t.Fatal("no bulletins in content/")
	}
	r := tghtml.NewRenderer(testBase)
	for _, f := range files {
		b := load(t, f)
		parts := r.Messages(b, testBase+"/bulletins/"+b.ID)
		for i, p := range parts {
			m, err := tghtml.Validate(p, tghtml.MaxMessage)
			if err != nil {
				t.Errorf("%s: message %d refused: %v", f, i+1, err)
				continue
			}
			if i == 0 && !strings.HasPrefix(m.Text, b.Title) {
				t.Errorf("%s: does not start with its title: %q", f, m.Text[:min(40, len(m.Text))])
			}
		}
	}
}
