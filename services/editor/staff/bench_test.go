package staff_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/ui"
	"github.com/paeria/pregoner/shared/bulletin"
)

// BenchmarkPreview is one keystroke's preview: the publish checks, the web HTML and
// the Telegram parts of a sample bulletin, with the bus lookup of its id.
func BenchmarkPreview(b *testing.B) {
	e := newEnv(b)
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "content", "2020-03-14-confinament.md"))
	if err != nil {
		b.Fatal(err)
	}
	bl, err := bulletin.Parse("2020-03-14-confinament.md", src, bulletin.Options{})
	if err != nil {
		b.Fatal(err)
	}
	f := desk.FieldsOf(bl)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p, err := e.svc.Desk.Preview(ctx, f, desk.Intent{New: true})
		if err != nil || len(p.Telegram) == 0 || len(p.Problems) != 0 {
			b.Fatal(err, p.Problems)
		}
	}
}

// BenchmarkListPage is a logged-in GET / over TLS with 100 bulletins on two channels
// each: the session check, the bus reads and the rendering.
func BenchmarkListPage(b *testing.B) {
	e := newEnv(b)
	chans := e.channels("telegram", "web")
	_ = chans
	ctx := context.Background()
	a := desk.Actor{Name: "bench", Role: accounts.Publisher}
	for i := range 100 {
		src := fmt.Sprintf("---\nid: b%03d\ntitle: Avís %d\n---\nText %d.\n", i, i, i)
		if _, err := e.svc.Desk.Publish(ctx, a, []byte(src), desk.Intent{}); err != nil {
			b.Fatal(err)
		}
	}
	e.waitState("b099", "web", "delivered")
	e.user("anna", accounts.Publisher)
	id, err := e.svc.Accounts.CreateSession(ctx, "anna")
	if err != nil {
		b.Fatal(err)
	}
	client := e.srv.Client()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("GET", e.srv.URL+"/", nil)
		req.AddCookie(&http.Cookie{Name: ui.CookieName, Value: id})
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET /: %d", res.StatusCode)
		}
	}
}
