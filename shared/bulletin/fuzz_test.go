package bulletin_test

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/paeria/pregoner/shared/bulletin"
)

// FuzzParse: whatever the file, Parse returns a valid bulletin or field errors, never
// panics, and every error names the file.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.md")
	more, _ := filepath.Glob("../../content/*.md")
	for _, p := range append(seeds, more...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\ntitle: [\n---\nx"))
	f.Fuzz(func(t *testing.T, src []byte) {
		b, err := bulletin.Parse("f.md", src, bulletin.Options{})
		if err != nil {
			es := bulletin.AsErrors(err)
			if len(es) == 0 {
				t.Fatalf("error without field errors: %v", err)
			}
			for _, e := range es {
				if e.File != "f.md" || e.Msg == "" {
					t.Fatalf("error does not place itself: %+v", e)
				}
			}
			return
		}
		if b.ID == "" || b.Title == "" || b.Body == "" || len(b.Channels) == 0 || !utf8.ValidString(b.Body) {
			t.Fatalf("accepted an incomplete bulletin: %+v", b)
		}
	})
}
