package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/schedule"
	"github.com/paeria/pregoner/shared/tghtml"
)

// routeHarness is newHarness on a bus where the Telegram service published routing
// (nil: it published none).
func routeHarness(t *testing.T, u *accounts.User, routing *tghtml.Routing) *harness {
	t.Helper()
	ctx := context.Background()
	conn := natstest.Start(t).Connect("ui-test")
	if routing != nil {
		kv, err := conn.JS.KeyValue(ctx, bus.BucketTelegramPosts)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(routing)
		if _, err := kv.Put(ctx, tghtml.RoutingKey, data); err != nil {
			t.Fatal(err)
		}
	}
	sched, err := schedule.NewStore(ctx, conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return testNow }
	log, err := audit.New(ctx, conn.JS, 1, clock)
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(ctx, desk.Deps{JS: conn.JS, Audit: log, Schedule: sched, WebBaseURL: "http://web.test", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(nil, d, log, Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /compose", func(w http.ResponseWriter, r *http.Request) { s.composePost(w, r, u) })
	return &harness{t: t, desk: d, audit: log, mux: mux}
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
