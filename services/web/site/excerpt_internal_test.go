package site

import (
	"reflect"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/markdown"
)

// The excerpt keeps a bulletin's shape: its first paragraph whole, lists short, tables
// named by their columns and rows.
func TestExcerptKeepsStructure(t *testing.T) {
	long := strings.Repeat("paraula ", 100) // 800 runes: whole, it is the first paragraph
	cases := []struct {
		name string
		md   string
		want excerpt
	}{
		{"one_paragraph", "El **paer en cap** informa [avui](https://x.cat).", excerpt{Blocks: []exBlock{{Text: "El paer en cap informa avui."}}}},
		{"first_paragraph_whole", long + "\n\nSegon.", excerpt{Blocks: []exBlock{{Text: strings.TrimSpace(long)}, {Text: "Segon."}}}},
		{"second_paragraph_cut", "Primer.\n\n" + long, excerpt{More: true, Blocks: []exBlock{{Text: "Primer."},
			{Text: cut(strings.TrimSpace(long), excerptRunes)}}}},
		{"short_list", "Cal:\n\n- rentar-se les mans\n- mascareta\n- distància\n- ventilar\n- quedar-se a casa",
			excerpt{More: true, Blocks: []exBlock{{Text: "Cal:"}, {List: &exList{Items: []string{"rentar-se les mans", "mascareta", "distància"}, More: 2}}}}},
		{"ordered_nested_list", "1. Primer\n   - dins\n2. Segon", excerpt{Blocks: []exBlock{{List: &exList{Ordered: true, Items: []string{"Primer", "Segon"}}}}}},
		{"table_named", "Telèfons:\n\n| Servei | Telèfon | Horari |\n|---|---|---|\n| CAP | 973 | 8-20 |\n| Urbana | 092 | 24 h |",
			excerpt{More: true, Blocks: []exBlock{{Text: "Telèfons:"}, {Table: &exTable{Columns: []string{"Servei", "Telèfon", "Horari"}, Rows: 2}}}}},
		{"heading_then_text", "## Horaris\n\nDe 9 a 14.", excerpt{Blocks: []exBlock{{Heading: "Horaris"}, {Text: "De 9 a 14."}}}},
		{"blocks_capped", "a\n\nb\n\nc\n\nd\n\ne", excerpt{More: true, Blocks: []exBlock{{Text: "a"}, {Text: "b"}, {Text: "c"}, {Text: "d"}}}},
		{"code_skipped", "Text.\n\n```\ncodi\n```", excerpt{Blocks: []exBlock{{Text: "Text."}}}},
		{"raw_html_literal", "<b>hola</b> & adéu", excerpt{Blocks: []exBlock{{Text: "<b>hola</b> & adéu"}}}},
	}
	md := markdown.New()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(c.md)
			if got := makeExcerpt(md.Parse(src), src); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}
