package staff_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A code sent before a name and password were chosen (a second tab, a stale step) is
// answered 422 on the first-run page, in the member's language, asking for the name
// first; the link still works afterwards.
func TestFirstRunCodeBeforeChoosingAName(t *testing.T) {
	e := newEnv(t)
	log := e.serveLogged()
	m := firstRunRE.FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no first-run link in the log:\n%s", log)
	}
	link := "/first-run/" + m[2]
	for _, tt := range []struct{ lang, want string }{
		{"en", "Before the code, choose the first administrator&#39;s user name and password below."},
		{"ca", "Abans del codi, trieu el nom d&#39;usuari i la contrasenya del primer administrador aquí sota."},
		{"es", "Antes del código, elegid el nombre de usuario y la contraseña del primer administrador aquí debajo."},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			b := e.browser()
			b.lang = tt.lang
			r := b.post(link+"/confirm", url.Values{"code": {"123456"}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tt.want) {
				t.Fatalf("%d, want 422 saying %q\n%s", r.status, tt.want, r.body)
			}
			if !strings.Contains(r.body, `name="name" id="name"`) {
				t.Errorf("the name and password form is not shown:\n%s", r.body)
			}
		})
	}
	if r := e.browser().get(link); r.status != http.StatusOK {
		t.Errorf("the link after it: %d, want it still working", r.status)
	}
}
