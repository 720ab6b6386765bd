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

// benchBulletins is how many bulletins the page benchmarks publish, on two channels
// each: 1,000 delivery records, the bucket a page view must not read whole for the
// needs-attention panel.
const benchBulletins = 500

// pageEnv publishes benchBulletins bulletins, with the service's background work
// running (the watch of the records the panel reads), and returns a session.
func pageEnv(b *testing.B) (*env, string) {
	e := newEnv(b)
	e.background()
	e.channels("telegram", "web")
	ctx := context.Background()
	a := desk.Actor{Name: "bench", Role: accounts.Publisher}
	for i := range benchBulletins {
		src := fmt.Sprintf("---\nid: b%03d\ntitle: Avís %d\n---\nText %d.\n", i, i, i)
		if _, err := e.svc.Desk.Publish(ctx, a, []byte(src), desk.Intent{}); err != nil {
			b.Fatal(err)
		}
	}
	e.waitState(fmt.Sprintf("b%03d", benchBulletins-1), "web", "delivered")
	e.user("anna", accounts.Publisher)
	id, err := e.svc.Accounts.CreateSession(ctx, "anna")
	if err != nil {
		b.Fatal(err)
	}
	return e, id
}

// getPage GETs path as the session's member for each b.Loop.
func getPage(b *testing.B, e *env, session, path string) {
	client := e.srv.Client()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: ui.CookieName, Value: session})
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", path, res.StatusCode)
		}
	}
}

// BenchmarkListPage is a logged-in GET / over TLS with 1,000 delivery records: the
// session check, the bus reads (the list itself reads every record) and the rendering.
func BenchmarkListPage(b *testing.B) {
	e, session := pageEnv(b)
	getPage(b, e, session, "/")
}

// BenchmarkBulletinPage is a logged-in GET of one bulletin's page with 1,000 delivery
// records in the bucket: it reads that bulletin's records, and the needs-attention
// panel reads only the bulletins with a dead delivery, so its cost does not grow with
// the bucket.
func BenchmarkBulletinPage(b *testing.B) {
	e, session := pageEnv(b)
	getPage(b, e, session, "/bulletins/b000")
}
