package site_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// hostileBody is what a careless paste or a compromised account could put in a bulletin.
const hostileBody = `Avís <script>alert("xss")</script> important.

<img src=x onerror="alert('img')">

[Informació](javascript:alert('link')) i [més](JaVaScRiPt&#58;alert(1)) i <a href="javascript:alert(2)">clic</a>.

![foto](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

<iframe src="https://evil.example"></iframe>`

func TestHostileBulletinRendersInert(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "hostil", Title: `Títol <script>alert("t")</script>`, Body: hostileBody})
	e.waitRecord("hostil", 1, delivery.Delivered)
	// Feeds carry the HTML as text; what a feed reader renders is that text, decoded.
	pages := map[string]string{"atom content": e.atom().Entries[0].Content.Body, "json content_html": e.jsonFeed().Items[0].ContentHTML}
	for _, path := range []string{"/ca/", "/bulletins/hostil"} {
		pages[path] = e.waitBody(path, nil, http.StatusOK, "hostil").body
	}
	for path, body := range pages {
		lower := strings.ToLower(body)
		for _, bad := range []string{`<script>alert`, `<img src=x`, `onerror="`, `href="javascript:`, `<iframe`, `src="data:`} {
			if strings.Contains(lower, bad) {
				t.Errorf("%s contains live %q", path, bad)
			}
		}
		if path != "/ca/" && !strings.Contains(body, "&lt;script&gt;alert") {
			t.Errorf("%s: the typed <script> is not shown as text:\n%s", path, body)
		}
	}
}
