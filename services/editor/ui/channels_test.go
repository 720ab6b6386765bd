package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/tghtml"
)

// routeHarness is newHarness on a bus where the Telegram service published routing
// (nil: it published none).
func routeHarness(t *testing.T, u *accounts.User, routing *tghtml.Routing) *harness {
	t.Helper()
	return newHarnessOn(t, u, func(conn *bus.Conn) {
		if routing == nil {
			return
		}
		kv, err := conn.JS.KeyValue(context.Background(), bus.BucketTelegramPosts)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(routing)
		if _, err := kv.Put(context.Background(), tghtml.RoutingKey, data); err != nil {
			t.Fatal(err)
		}
	})
}

// The compose page says, next to the Telegram preview, which chat the bulletin goes to
// — or that a translation will not be posted where the channel carries one version.
func TestComposeSaysWhichTelegramChat(t *testing.T) {
	routing := &tghtml.Routing{Default: "@lapaeriaexplica", Lang: "ca", Chats: map[string]string{"en": "@paeria_en"}}
	sandboxed := &tghtml.Routing{Default: "@lapaeriaexplica", Lang: "ca", Sandbox: true}
	tests := []struct {
		name    string
		u       *accounts.User
		routing *tghtml.Routing
		form    []string
		want    string // "" : no line at all
	}{
		{"catalan_to_the_default_chat", anna, routing, nil, "Telegram: es publicarà a @lapaeriaexplica."},
		{"spanish_translation", anna, routing, []string{"lang", "es"},
			"Telegram: aquest butlletí en castellà no es publicarà a @lapaeriaexplica si el seu grup ja hi té la versió en català"},
		{"spanish_translation_in_english", annaE, routing, []string{"lang", "es"},
			"Telegram: this bulletin in Spanish will not be posted to @lapaeriaexplica if its group already has the Catalan version there"},
		{"english_has_its_own_chat", anna, routing, []string{"lang", "en"}, "Telegram: es publicarà a @paeria_en."},
		{"sandbox", anna, sandboxed, nil, "Telegram: es publicarà a @lapaeriaexplica. (sandbox local: no arriba a la ciutadania)"},
		{"not_on_telegram", anna, routing, []string{"channels", "web"}, ""},
		{"no_routing_published", anna, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := routeHarness(t, tt.u, tt.routing)
			f := form(append([]string{"action", "preview", "new", "1", "id", "mascaretes", "title", "Mascaretes", "body", "Text."}, tt.form...)...)
			r := h.do("POST", "/compose", f)
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			i := strings.Index(r.body, `id="telegram-route"`)
			if tt.want == "" {
				if i >= 0 {
					t.Errorf("a routing line where none belongs: %s", r.body[i:min(i+200, len(r.body))])
				}
				return
			}
			if i < 0 || !strings.Contains(r.body[i:min(i+600, len(r.body))], tt.want) {
				t.Errorf("routing line does not say %q", tt.want)
			}
		})
	}
}
