package tghtml_test

import (
	"testing"

	"github.com/paeria/pregoner/shared/tghtml"
)

func TestRoute(t *testing.T) {
	one := tghtml.Routing{Default: "@lapaeriaexplica", Lang: "ca"}
	two := tghtml.Routing{Default: "@lapaeriaexplica", Lang: "ca", Chats: map[string]string{"es": "@lapaeriaexplica_es"}}
	esDefault := tghtml.Routing{Default: "@lapaeriaexplica", Lang: "ca", Chats: map[string]string{"ca": "@paeria_ca"}}
	tests := []struct {
		name        string
		r           tghtml.Routing
		lang        string
		chat        string
		own, transl bool
	}{
		{"one chat, Catalan", one, "ca", "@lapaeriaexplica", false, false},
		{"one chat, Spanish is a translation", one, "es", "@lapaeriaexplica", false, true},
		{"Spanish chat", two, "es", "@lapaeriaexplica_es", true, false},
		{"English without a chat", two, "en", "@lapaeriaexplica", false, true},
		{"Catalan elsewhere: the default chat takes every language", esDefault, "es", "@lapaeriaexplica", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.r.Route(tt.lang)
			if got.Chat != tt.chat || got.Own != tt.own || got.Translation != tt.transl {
				t.Errorf("Route(%s) = %+v; want chat %s own %v translation %v", tt.lang, got, tt.chat, tt.own, tt.transl)
			}
		})
	}
}
