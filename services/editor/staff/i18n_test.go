package staff_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// The editor speaks Catalan unless told otherwise; a browser that asks for Spanish or
// English gets it; a member's choice goes with her account to any browser.
func TestLanguageChoice(t *testing.T) {
	e := newEnv(t)
	e.channels("telegram", "web")

	for _, tt := range []struct {
		accept string
		lang   string
		words  []string
	}{
		{"", "ca", []string{"Entrada", "Contrasenya", "autenticació"}},
		{"fr-FR,fr;q=0.9", "ca", []string{"Contrasenya"}},
		{"es-ES,es;q=0.9,en;q=0.5", "es", []string{"Contraseña", "Entrar"}},
		{"en-GB", "en", []string{"Password", "Code from your authenticator app"}},
	} {
		b := e.browser()
		b.lang = tt.accept
		r := b.get("/login")
		if !strings.Contains(r.body, `<html lang="`+tt.lang+`">`) {
			t.Errorf("Accept-Language %q: not lang=%s", tt.accept, tt.lang)
		}
		for _, w := range tt.words {
			if !strings.Contains(r.body, w) {
				t.Errorf("Accept-Language %q: %q missing from the login page", tt.accept, w)
			}
		}
	}

	// A member with a Catalan browser publishes and reads states and dates in Catalan.
	b := e.loggedIn("anna", accounts.Publisher)
	b.lang = ""
	b.post("/compose", composeForm("publish", "new", "1", "id", "biblioteques", "title", "Biblioteques tancades", "body", "Les biblioteques tanquen."))
	list := waitBody(t, b, "/", "telegram: <b>lliurat</b>")
	for _, want := range []string{`<html lang="ca">`, "Butlletins", "Surt", "anna (publicador)", "Publicats"} {
		if !strings.Contains(list, want) {
			t.Errorf("list in Catalan: %q missing", want)
		}
	}
	if !regexp.MustCompile(`\d{2}/\d{2}/\d{4} \d{2}:\d{2}`).MatchString(list) {
		t.Error("list: no date written dd/mm/aaaa HH:MM")
	}
	if strings.Contains(list, "<b>delivered") || strings.Contains(list, "Bulletins") {
		t.Error("list in Catalan shows English words")
	}
	if d := b.get("/bulletins/biblioteques"); !strings.Contains(d.body, "Revisió 1: publicació per anna el") {
		t.Errorf("detail in Catalan: no history line")
	}

	// She chooses Spanish: the page she was on comes back in Spanish, and another
	// browser of hers, whatever it asks for, shows Spanish after login.
	r := b.post("/lang", url.Values{"lang": {"es"}, "next": {"/bulletins/biblioteques"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/bulletins/biblioteques" {
		t.Fatalf("switch: %d %s", r.status, r.header.Get("Location"))
	}
	if d := b.get("/bulletins/biblioteques"); !strings.Contains(d.body, `<html lang="es">`) || !strings.Contains(d.body, "<b>entregado</b>") {
		t.Errorf("after the switch: not Spanish")
	}
	u, err := e.svc.Accounts.User(t.Context(), "anna")
	if err != nil || u.Lang != "es" {
		t.Fatalf("account language: %v %v", u, err)
	}
	if r := b.post("/lang", url.Values{"lang": {"klingon"}, "next": {"/"}}); r.status != http.StatusBadRequest {
		t.Errorf("unknown language: %d", r.status)
	}
	if r := b.post("/lang", url.Values{"lang": {"ca"}, "next": {"https://evil.example/"}}); r.header.Get("Location") != "/" {
		t.Errorf("switch to another site: %q", r.header.Get("Location"))
	}
}

// waitBody reads path until its body contains want (a delivery state arriving).
func waitBody(t *testing.T, b *browser, path, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		body := b.get(path).body
		if strings.Contains(body, want) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %q in time", path, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
