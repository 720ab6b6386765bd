package staff_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// englishMarkers are words and marks that give away a message left in English or in
// the file's own terms. A Catalan or Spanish member must never read one.
var englishMarkers = []string{"the ", " is ", "must", "field", "front matter", "---", "not found", "want ", " not ", " and ", " or ", " of ", " to ", " you ", " with "}

// isoTime is a time written as RFC 3339 (2026-03-14T10:00), which staff never type.
var isoTime = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}`)

var (
	unseenRE = regexp.MustCompile(`(?is)<script\b.*?</script>|<style\b.*?</style>|<small class="raw"[^>]*>.*?</small>`)
	tagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE  = regexp.MustCompile(`\s+`)
)

// visibleText is what a reader sees of a page: no tags, no script, no attribute. The
// channel's own raw error text (class "raw", next to its advice in words) is left out:
// it is the channel's answer quoted, not the editor's words.
func visibleText(page string) string {
	s := unseenRE.ReplaceAllString(page, " ")
	s = tagRE.ReplaceAllString(s, " ")
	return spaceRE.ReplaceAllString(html.UnescapeString(s), " ")
}

// english returns the first English marker or ISO time in text, with its context.
func english(text string) string {
	low := strings.ToLower(text)
	for _, m := range englishMarkers {
		if i := strings.Index(low, m); i >= 0 {
			return around(text, i, len(m))
		}
	}
	if loc := isoTime.FindStringIndex(text); loc != nil {
		return around(text, loc[0], loc[1]-loc[0])
	}
	return ""
}

func around(text string, i, n int) string {
	from, to := max(0, i-60), min(len(text), i+n+60)
	return "…" + text[from:to] + "…"
}

// Every kind of bad field typed in the compose form is answered in the member's own
// language — Catalan or Spanish — with no English and no ISO time, at its field.
func TestFormProblemsAreInTheMembersLanguage(t *testing.T) {
	e := newEnv(t)
	e.channels("telegram", "web", "youtube")
	b := e.loggedIn("anna", accounts.Publisher)
	b.lang = "ca"
	if r := b.post("/compose", composeForm("publish", "new", "1", "id", "confinament", "title", "Confinament", "body", "Quedeu-vos a casa.")); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.status)
	}
	validAlert := `{"severity":"Severe","urgency":"Immediate","certainty":"Observed","category":["Health"]}`
	tags := strings.TrimSuffix(strings.Repeat("salut, ", 21), ", ")
	cases := []struct {
		name string
		kv   []string
		// field is where the problem shows: the data-for of its paragraph, or "" for
		// the list of problems of no form field.
		field string
	}{
		{"empty title", []string{"title", ""}, "title"},
		{"title too long", []string{"title", strings.Repeat("a", 201)}, "title"},
		{"title on two lines", []string{"title", "Primera\nsegona"}, "title"},
		{"bad id", []string{"id", "Mal Id"}, "id"},
		{"id already published", []string{"id", "confinament"}, "id"},
		{"live start empty", []string{"channels", "youtube", "live_title", "Roda de premsa"}, "live_start"},
		{"live start past", []string{"channels", "youtube", "live_start", "2020-03-14T08:00"}, "live_start"},
		{"live before publish", []string{"channels", "youtube", "publish_at", "2020-03-20T12:00", "live_start", "2020-03-20T11:00"}, "live_start"},
		{"live without youtube", []string{"live_start", "2020-03-20T11:00"}, "channels"},
		{"youtube title angle", []string{"channels", "youtube", "live_start", "2020-03-20T11:00", "live_title", "Roda <de> premsa"}, "live_title"},
		{"youtube body angle", []string{"channels", "youtube", "live_start", "2020-03-20T11:00", "body", "Entrada 3 < 4"}, "body"},
		{"youtube title too long", []string{"channels", "youtube", "live_start", "2020-03-20T11:00", "live_title", strings.Repeat("b", 101)}, "live_title"},
		{"publish time unparseable", []string{"publish_at", "demà al matí"}, "publish_at"},
		{"unknown channel", []string{"channels", "fax"}, "channels"},
		{"no channel", []string{"channels", ""}, "channels"},
		{"bad group", []string{"group", "Grup Dolent"}, "group"},
		{"bad language", []string{"lang", "català"}, "lang"},
		{"too many tags", []string{"tags", tags}, "tags"},
		{"empty body", []string{"body", "   "}, "body"},
		{"body too large", []string{"body", strings.Repeat("Quedeu-vos a casa. ", 15000)}, ""},
		{"alert fields missing", []string{"alert", `{"category":["Health"]}`}, ""},
		{"alert bad values", []string{"alert", `{"severity":"Enorme","urgency":"Ara","certainty":"Segur","category":["Salut"]}`}, ""},
		{"alert without web", []string{"channels", "telegram", "alert", validAlert}, ""},
		{"alert expires first", []string{"publish_at", "2020-03-20T12:00", "alert",
			`{"severity":"Severe","urgency":"Immediate","certainty":"Observed","category":["Health"],"expires":"2020-03-19T10:00:00+01:00"}`}, ""},
	}
	form := func(tc []string) url.Values {
		f := composeForm("preview", append([]string{"new", "1", "id", "tancament", "title", "Tancament", "body", "Tot tancat."}, tc...)...)
		switch {
		case tc[0] == "channels" && tc[1] == "":
			delete(f, "channels") // none ticked
		case tc[0] == "channels":
			f["channels"] = strings.Split(tc[1], ",")
		}
		return f
	}
	// The English words of each, to be sure the others are not the same words: a
	// bare "empty" carries no marker.
	inEnglish := map[string]string{}
	b.lang = "en"
	for _, tc := range cases {
		inEnglish[tc.name] = problemAt(b.post("/compose", form(tc.kv)).body, tc.field)
	}
	for _, lang := range []string{"ca", "es"} {
		b.lang = lang
		for _, tc := range cases {
			f := form(tc.kv)
			r := b.post("/compose", f)
			if r.status != http.StatusOK {
				t.Errorf("%s %s: status %d", lang, tc.name, r.status)
				continue
			}
			msg := problemAt(r.body, tc.field)
			if msg == "" {
				t.Errorf("%s %s: no problem shown at %q", lang, tc.name, tc.field)
				continue
			}
			if bad := english(msg); bad != "" || msg == inEnglish[tc.name] {
				t.Errorf("%s %s: English or ISO text in %q: %s", lang, tc.name, msg, bad)
			}
			if bad := english(visibleText(r.body)); bad != "" {
				t.Errorf("%s %s: compose page shows %s", lang, tc.name, bad)
			}
			// The page's script asks /preview as staff type: the same words.
			r = b.post("/preview", f)
			var p struct {
				Problems []struct{ Field, Message string }
			}
			if err := json.Unmarshal([]byte(r.body), &p); err != nil || len(p.Problems) == 0 {
				t.Errorf("%s %s: /preview: %v %s", lang, tc.name, err, r.body)
				continue
			}
			for _, pr := range p.Problems {
				if bad := english(pr.Message); bad != "" {
					t.Errorf("%s %s: /preview %s: %s", lang, tc.name, pr.Field, bad)
				}
			}
		}
	}
}

// A browser without a date picker shows a text box: a time typed the way staff write
// dates is understood, not refused.
func TestPublishTimeTypedAsStaffWriteDates(t *testing.T) {
	e := newEnv(t)
	b := e.loggedIn("anna", accounts.Publisher)
	b.lang = "ca"
	r := b.post("/compose", composeForm("preview", "new", "1", "id", "fires", "title", "Fires", "body", "Tancades.", "publish_at", "20/03/2020 12:00"))
	if msg := problemAt(r.body, "publish_at"); msg != "" || !strings.Contains(r.body, `value="2020-03-20T12:00"`) {
		t.Errorf("20/03/2020 12:00 not understood: %q", msg)
	}
}

// problemAt is the text of the problems shown at a form field, or of the list of
// problems of no form field when field is "".
func problemAt(page, field string) string {
	re := regexp.MustCompile(`(?s)<ul class="problems" id="problems">(.*?)</ul>`)
	if field != "" {
		re = regexp.MustCompile(`(?s)<p class="ferr" data-for="` + field + `">(.*?)</p>`)
	}
	m := re.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(visibleText(m[1]))
}

// The API answers a bad file in the language the request asks for: codes and field
// names stay as they are, the messages are Catalan or Spanish; asked for nothing, it
// answers in English, as the command line and scripts expect.
func TestAPIProblemsFollowAcceptLanguage(t *testing.T) {
	e := newEnv(t)
	e.channels("telegram", "web", "youtube")
	tok := e.token("importer", accounts.Publisher)
	files := map[string]string{
		"no fields":        "Només text.",
		"fields not ended": "---\ntitle: Tancament\nText sense final.",
		"unreadable":       "---\ntitle: [Tancament\n---\nText.",
		"unknown field":    "---\nid: tancament\ntitel: Tancament\n---\nText.",
		"urgent wrong":     "---\nid: tancament\ntitle: Tancament\nurgent: potser\n---\nText.",
		"given twice":      "---\nid: tancament\ntitle: Tancament\ntitle: Tancat\n---\nText.",
		"publish time":     "---\nid: tancament\ntitle: Tancament\npublish_at: 14/03/2020 10:00\n---\nText.",
		"live not a block": "---\nid: tancament\ntitle: Tancament\nchannels: [youtube]\nlive: demà\n---\nText.",
		"live no start":    "---\nid: tancament\ntitle: Tancament\nchannels: [youtube]\nlive:\n  title: Roda\n---\nText.",
		"tags not a list":  "---\nid: tancament\ntitle: Tancament\ntags: {salut: si}\n---\nText.",
		"alert not block":  "---\nid: tancament\ntitle: Tancament\nalert: greu\n---\nText.",
		"live in the past": "---\nid: tancament\ntitle: Tancament\nchannels: [youtube]\nlive:\n  start: 2020-03-14T08:00:00+01:00\n---\nText.",
		"no title":         "---\nid: tancament\n---\nText.",
		"invalid UTF-8":    "---\nid: tancament\ntitle: Caf\xe9\n---\nText.",
	}
	for name, src := range files {
		for _, lang := range []string{"ca", "es-ES,es;q=0.9"} {
			st, body := e.apiCallIn(lang, tok, "POST", "/api/bulletins", "text/markdown", src)
			if st != http.StatusUnprocessableEntity {
				t.Errorf("%s %s: %d %v", lang, name, st, body)
				continue
			}
			errObj, _ := body["error"].(map[string]any)
			if bad := english(errObj["message"].(string)); bad != "" || errObj["code"] != "invalid" {
				t.Errorf("%s %s: message %q (%s), code %v", lang, name, errObj["message"], bad, errObj["code"])
			}
			ps := problemsOf(body)
			if len(ps) == 0 {
				t.Errorf("%s %s: no problems", lang, name)
			}
			for _, p := range ps {
				if bad := english(p["message"].(string)); bad != "" {
					t.Errorf("%s %s: problem at %v: %s", lang, name, p["field"], bad)
				}
			}
		}
	}
	// No language asked: English, as documented, with the field named the file's way.
	st, body := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", files["urgent wrong"])
	if ps := problemsOf(body); st != http.StatusUnprocessableEntity || len(ps) != 1 || ps[0]["field"] != "urgent" ||
		!strings.Contains(ps[0]["message"].(string), "want true or false") {
		t.Errorf("no language asked: %d %v", st, body)
	}
	// Spanish asked: Spanish words, not Catalan.
	_, body = e.apiCallIn("es", tok, "POST", "/api/bulletins", "text/markdown", files["urgent wrong"])
	errObj, _ := body["error"].(map[string]any)
	if ps := problemsOf(body); len(ps) != 1 || !strings.Contains(ps[0]["message"].(string), "ha de ser sí o no") ||
		!strings.Contains(errObj["message"].(string), "Todavía no se ha publicado") {
		t.Errorf("Spanish asked: %v", body)
	}
}

// apiCallIn is apiCall with an Accept-Language header.
func (e *env) apiCallIn(lang, token, method, path, contentType, body string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept-Language", lang)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		e.t.Fatalf("%s %s: not JSON (%d): %v", method, path, res.StatusCode, err)
	}
	return res.StatusCode, out
}
