package site_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

var (
	headingRE = regexp.MustCompile(`<h([1-6])[ >]`)
	anchorRE  = regexp.MustCompile(`(?s)<a [^>]*>(.*?)</a>`)
	tagRE     = regexp.MustCompile(`<[^>]*>`)
	scriptRE  = regexp.MustCompile(`<script [^>]*>`)
	controlRE = regexp.MustCompile(`(?s)<label>[^<]*<(input|select)|<(input|select)`)
)

// The static things Lighthouse (mobile) checks on the pages it was measured on
// (docs/lighthouse.md), so that a regression fails here without npm: the document's
// language, viewport, title and description, the icon and robots.txt, headings in
// order, named links and form controls, and no render-blocking script.
func TestLighthouseBasics(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "confinament", Title: "Mesures de confinament", Urgent: true, Tags: []string{"salut"},
		Body: "## Què cal fer\n\nQuedeu-vos a casa.\n\n- Feina\n- Metge"})
	e.publish(&bulletin.Bulletin{ID: "mercats", Title: "Mercats municipals", Body: "Oberts de 8 a 14 h."})
	e.waitRecord("mercats", 1, delivery.Delivered)

	for _, c := range []struct{ path, lang string }{
		{"/", "ca"}, {"/es/", "es"}, {"/bulletins/confinament", "ca"}, {"/ca/search?tag=salut", "ca"},
	} {
		r := e.get(c.path, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", c.path, r.status)
		}
		b := r.body
		for _, want := range []string{`<html lang="` + c.lang + `"`, `<meta name="viewport" content="width=device-width, initial-scale=1">`,
			`<meta charset="utf-8">`, `<link rel="icon" href="`} {
			if !strings.Contains(b, want) {
				t.Errorf("%s lacks %s", c.path, want)
			}
		}
		if m := regexp.MustCompile(`<title>([^<]+)</title>`).FindStringSubmatch(b); m == nil || strings.TrimSpace(m[1]) == "" {
			t.Errorf("%s has no title", c.path)
		}
		if m := regexp.MustCompile(`<meta name="description" content="([^"]+)">`).FindStringSubmatch(b); m == nil || strings.TrimSpace(m[1]) == "" {
			t.Errorf("%s has no meta description", c.path)
		}
		level := 0
		for _, m := range headingRE.FindAllStringSubmatch(b, -1) {
			l := int(m[1][0] - '0')
			if (level == 0 && l != 1) || l > level+1 {
				t.Errorf("%s: heading h%d after h%d skips a level", c.path, l, level)
			}
			level = l
		}
		for _, m := range anchorRE.FindAllStringSubmatch(b, -1) {
			if strings.TrimSpace(tagRE.ReplaceAllString(m[1], "")) == "" {
				t.Errorf("%s: a link without a name: %s", c.path, m[0])
			}
		}
		for _, m := range scriptRE.FindAllString(b, -1) {
			if !strings.Contains(m, " defer") {
				t.Errorf("%s: render-blocking script %s", c.path, m)
			}
		}
		for _, m := range controlRE.FindAllStringSubmatch(b, -1) {
			if m[2] != "" {
				t.Errorf("%s: a <%s> outside a label", c.path, m[2])
			}
		}
	}

	if r := e.get("/favicon.ico", nil); r.status != http.StatusOK || r.header.Get("Content-Type") != "image/x-icon" {
		t.Errorf("/favicon.ico: %d %s", r.status, r.header.Get("Content-Type"))
	}
	r := e.get("/robots.txt", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/robots.txt: %d %s", r.status, r.header.Get("Content-Type"))
	}
	for i, line := range strings.Split(strings.TrimSpace(r.body), "\n") {
		k, v, ok := strings.Cut(line, ":")
		switch {
		case !ok:
			t.Errorf("robots.txt line %d %q is not a directive", i+1, line)
		case i == 0 && line != "User-agent: *":
			t.Errorf("robots.txt starts with %q", line)
		case k == "Disallow" && strings.TrimSpace(v) == "/":
			t.Errorf("robots.txt keeps crawlers off the whole page")
		case k != "User-agent" && k != "Allow" && k != "Disallow":
			t.Errorf("robots.txt line %d: unknown directive %q", i+1, k)
		}
	}
}
