package staff_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// The audit page filters by actor, action and bulletin with a plain GET form: no
// script needed, the filter kept in the form, every value escaped.
func TestAuditPageFilters(t *testing.T) {
	e := newEnv(t)
	ada := e.loggedIn("ada", accounts.Admin)
	pau := e.loggedIn("pau", accounts.Publisher)
	e.user("anna", accounts.Writer)
	ada.post("/admin/users/anna/unlock", nil)
	ada.post("/admin/users/anna/role", url.Values{"role": {"publisher"}})
	pau.post("/admin/users/anna/unlock", nil) // refused: pau is no admin
	tests := []struct {
		name       string
		query      url.Values
		want, not  []string
		rowsWanted int
	}{
		{"everything", nil, []string{`data-action="user_role"`, `data-action="denied"`, `data-action="login"`}, nil, 5},
		{"by actor", url.Values{"actor": {"ada"}}, []string{`data-action="user_unlock"`, `data-action="user_role"`, `value="ada"`}, []string{`data-action="denied"`}, 3},
		{"by action", url.Values{"action": {"login"}}, []string{`<option value="login" selected>`}, []string{`data-action="user_role"`}, 2},
		{"actor and action", url.Values{"actor": {"pau"}, "action": {"denied"}}, []string{`data-action="denied"`}, nil, 1},
		{"by bulletin", url.Values{"bulletin": {"2020-03-14-confinament"}}, []string{"0 matching events"}, nil, 0},
		{"hostile values escaped", url.Values{"actor": {`"><script>alert(1)</script>`}, "bulletin": {`<b>x`}, "action": {`"><i>`}},
			[]string{`value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`, `value="&lt;b&gt;x"`}, []string{"<script>alert", "<b>x", `"><i>`}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pau.get("/audit?" + tt.query.Encode())
			if r.status != http.StatusOK {
				t.Fatalf("%d", r.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("lacks %s", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(r.body, n) {
					t.Errorf("has %s", n)
				}
			}
			if got := strings.Count(r.body, "data-action="); got != tt.rowsWanted {
				t.Errorf("%d rows, want %d", got, tt.rowsWanted)
			}
			if !strings.Contains(r.body, `<form method="get" action="/audit"`) {
				t.Errorf("no GET form")
			}
		})
	}
}
