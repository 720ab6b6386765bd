package staff_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// A Catalan member reads no English and no file jargon on any page the editor shows
// her: every page, including its errors, is rendered in Catalan and its visible text
// (tags, scripts and the channel's own quoted error left out) searched for English
// marker words. Bulletin titles and bodies are Catalan samples; names are names.
func TestNoEnglishReachesCatalanStaff(t *testing.T) {
	e := newEnv(t)
	pages := map[string]string{} // page -> visible text
	see := func(name string, r resp) {
		t.Helper()
		pages[name] = visibleText(r.body)
		if !strings.Contains(r.body, `<html lang="ca">`) {
			t.Errorf("%s (%d): not in Catalan", name, r.status)
		}
	}
	catalan := func(b *browser) *browser { b.lang = "ca"; return b }

	// First run, before any account: the page, a bad name, a wrong link.
	m := firstRunRE.FindStringSubmatch(e.serveLogged().String())
	if m == nil {
		t.Fatal("no first-run link in the log")
	}
	fr := catalan(e.browser())
	see("first run", fr.get("/first-run/"+m[2]))
	see("first run, passwords differ", fr.post("/first-run/"+m[2], url.Values{"name": {"núria"}, "password": {password}}))
	see("first run, bad name", fr.post("/first-run/"+m[2], url.Values{"name": {"nú\x07ria"}, "password": {password}, "again": {password}}))
	see("first run, name with a space", fr.post("/first-run/"+m[2], url.Values{"name": {"núria puig"}, "password": {password}, "again": {password}}))
	see("first run, short password", fr.post("/first-run/"+m[2], url.Values{"name": {"núria"}, "password": {"curta"}, "again": {"curta"}}))
	see("first run, wrong link", fr.get("/first-run/"+strings.Repeat("A", 43)))

	// Login failures.
	secret := e.user("anna", accounts.Admin)
	lb := catalan(e.browser())
	see("login", lb.get("/login"))
	see("login, wrong password", lb.login("anna", "no és aquesta", e.code(secret)))
	see("login, wrong code", lb.login("anna", password, "000000"))

	// A bulletin whose Telegram delivery died, another one well, and a translation.
	tg := e.refusing("telegram")
	e.channels("web")
	tg.set("ple", delivery.PermanentBecause(delivery.ReasonTooLong, errors.New("telegram: send: Bad Request: message is too long")))
	e.publish("ple", "Ple municipal", bulletin.Telegram)
	e.waitState("ple", bulletin.Telegram, delivery.Dead)
	e.publishAs("pau", desk.Fields{ID: "confinament", Title: "Confinament a Lleida", Lang: "ca", Channels: []string{"web"},
		PublishAt: t0.Add(-time.Hour).Format(time.RFC3339), Body: "Quedeu-vos a casa."}, desk.Intent{New: true})
	e.publishAs("pau", desk.Fields{ID: "confinamiento", Title: "Confinamiento en Lleida", Lang: "es", Group: "confinament",
		Channels: []string{"web"}, Body: "Quedaos en casa."}, desk.Intent{New: true})

	e.clock.Add(30 * time.Second) // a fresh TOTP step for the next login
	admin := catalan(e.loggedIn("ada", accounts.Admin))
	see("list", admin.get("/"))
	see("bulletin with a dead delivery", admin.get("/bulletins/ple"))
	detail := admin.get("/bulletins/confinament")
	see("bulletin with a translation", detail)
	if !strings.Contains(detail.body, `Versió en castellà: <a href="/bulletins/confinamiento" hreflang="es">Confinamiento en Lleida</a>`) {
		t.Errorf("the Catalan bulletin does not link its Spanish version:\n%s", between(detail.body, "<h1>", `id="channels"`))
	}
	if es := admin.get("/bulletins/confinamiento"); !strings.Contains(es.body, `Versió en català: <a href="/bulletins/confinament" hreflang="ca">Confinament a Lleida</a>`) {
		t.Errorf("the Spanish bulletin does not link its Catalan version")
	}
	tr := admin.get("/compose?translate=confinament")
	see("translate form", tr)
	if !strings.Contains(tr.body, `name="publish_at" id="f-publish_at" value=""`) {
		t.Errorf("the translation copies the original's publish time: %s", between(tr.body, `name="publish_at"`, ">"))
	}
	see("retract, asked", admin.get("/bulletins/ple/retract"))
	see("audit", admin.get("/audit"))
	see("accounts", admin.get("/admin"))
	see("accounts, bad name", admin.post("/admin/users", url.Values{"name": {"nú\x07ria"}, "role": {"writer"}}))
	see("accounts, name with a space", admin.post("/admin/users", url.Values{"name": {"núria puig"}, "role": {"writer"}, "password": {password}}))
	see("accounts, short password", admin.post("/admin/users", url.Values{"name": {"nuria"}, "role": {"writer"}, "password": {"curta"}}))
	see("accounts, name taken", admin.post("/admin/users", url.Values{"name": {"anna"}, "role": {"writer"}, "password": {password}}))
	see("accounts, bad token lifetime", admin.post("/admin/tokens", url.Values{"name": {"importador"}, "scope": {"publish"}, "days": {"molts"}}))
	see("accounts, no such account", admin.post("/admin/users/ningu/unlock", url.Values{}))
	crossSite := admin.do("POST", "/bulletins/ple/retract", url.Values{}, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	if crossSite.status != http.StatusForbidden || !strings.Contains(crossSite.body, "venia d'un altre lloc web") || english(crossSite.body) != "" {
		t.Errorf("cross-site refusal, not in Catalan: %d %s", crossSite.status, crossSite.body)
	}
	if r := admin.post("/lang", url.Values{"lang": {"klingon"}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, "Aquest idioma no és cap dels de l'editor") || english(r.body) != "" {
		t.Errorf("unknown language, not in Catalan: %d %s", r.status, r.body)
	}
	see("compose", admin.get("/compose"))
	see("compose with errors", admin.post("/compose", composeForm("publish", "new", "1", "id", "Mal Id", "title", "",
		"channels", "youtube", "live_start", "2020-03-14T08:00", "publish_at", "demà", "body", "")))
	see("compose, id taken", admin.post("/compose", composeForm("publish", "new", "1", "id", "ple", "title", "Ple", "body", "Text.")))
	see("not found", admin.get("/bulletins/no-hi-es"))
	see("no such draft", admin.get("/drafts/no-hi-es"))
	see("bad address", admin.get("/bulletins/Mal.Id"))

	// Saving a draft: a writer hands it on, a publisher may publish it herself.
	writer := catalan(e.loggedIn("pere", accounts.Writer))
	saved := writer.post("/compose", composeForm("draft", "new", "1", "id", "mercats", "title", "Mercats", "body", "Obren."))
	see("draft saved by a writer", saved)
	if !strings.Contains(saved.body, "Qui tingui permís de publicació el pot publicar") {
		t.Errorf("a writer is not told a publisher will publish her draft")
	}
	see("writer publishes", writer.post("/compose", composeForm("publish", "new", "1", "id", "mercats", "title", "Mercats", "body", "Obren.")))
	publisher := catalan(e.loggedIn("marta", accounts.Publisher))
	saved = publisher.post("/compose", composeForm("draft", "new", "1", "id", "fires", "title", "Fires", "body", "Tancades."))
	see("draft saved by a publisher", saved)
	if strings.Contains(saved.body, "Qui tingui permís de publicació") || !strings.Contains(saved.body, "El podeu publicar quan estigui a punt") {
		t.Errorf("a publisher is told someone else will publish her draft")
	}
	see("audit, refused to a writer", writer.get("/audit"))
	see("draft without an id", writer.post("/compose", composeForm("draft", "new", "1", "id", "", "title", "Mercats", "body", "Obren.")))
	see("retry, not dead", admin.post("/bulletins/confinament/retry", url.Values{"channel": {"web"}}))
	see("retry, unknown channel", admin.post("/bulletins/confinament/retry", url.Values{"channel": {"fax"}}))
	see("retry, nothing recorded", admin.post("/bulletins/ple/retry", url.Values{"channel": {"youtube"}}))

	// Marta publishes revision 2 of confinament while Ada edits revision 1.
	e.publishAs("marta", desk.Fields{ID: "confinament", Title: "Confinament: nou horari", Lang: "ca", Channels: []string{"web"},
		Body: "Els mercats obren de 8 a 14."}, desk.Intent{BaseRev: 1})
	conflict := admin.post("/compose", draftForm("publish", "La versió de l'Ada.", 1))
	if conflict.status != http.StatusConflict {
		t.Errorf("conflict: %d", conflict.status)
	}
	see("conflict", conflict)

	for name, want := range map[string]string{
		"draft without an id":         "doneu primer al butlletí un identificador vàlid",
		"retry, not dead":             "Canal: només es pot tornar a provar un lliurament abandonat",
		"retry, unknown channel":      "«fax» no és cap canal conegut",
		"retry, nothing recorded":     "encara no consta cap lliurament de «ple» a youtube",
		"not found":                   "No s'ha trobat: el butlletí «no-hi-es».",
		"accounts, bad name":          "el nom té un caràcter de control a la posició 3",
		"first run, bad name":         "el nom té un caràcter de control a la posició 3",
		"accounts, name with a space": "el nom «núria puig» té un espai al mig",
		"accounts, short password":    "la contrasenya ha de tenir com a mínim",
		"first run, short password":   "la contrasenya ha de tenir com a mínim",
		"accounts, name taken":        "ja hi ha un compte amb el nom «anna»",
		"accounts, no such account":   "no hi ha cap compte ni testimoni amb aquest nom",
		"conflict":                    "Confinament: nou horari",
	} {
		if !strings.Contains(pages[name], want) {
			t.Errorf("%s: %q missing from: %s", name, want, pages[name])
		}
	}
	if len(pages) < 25 {
		t.Errorf("only %d pages seen", len(pages))
	}
	for name, text := range pages {
		for _, k := range knownEnglish {
			if k.page != name {
				continue
			}
			if !k.text.MatchString(text) {
				t.Errorf("%s: %q is no longer shown: take it off knownEnglish", name, k.text)
			}
			text = k.text.ReplaceAllString(text, " ")
		}
		if bad := english(text); bad != "" {
			t.Errorf("%s: English for a Catalan reader: %s", name, bad)
		}
	}
}

// knownEnglish is the English still shown, each on the page named, outside what the
// bulletin's words cover: the audit log's Detail column quotes what was recorded when
// it happened (the editor's own English for a failed login, a channel's raw error).
// Each entry must still be seen, so the list only shrinks; anything else fails the
// test.
var knownEnglish = []struct {
	page string
	text *regexp.Regexp
}{
	{"audit", regexp.MustCompile(`the name, password or code is not right \([^)]*\)`)},
	{"audit", regexp.MustCompile(`telegram: send: Bad Request: message is too long`)},
}
