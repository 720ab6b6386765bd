package ui

import (
	"strings"
	"testing"
)

// Every value ends on a page of the editor: the value itself when it is a local path,
// the list otherwise.
func TestSafeNextKeepsTheRedirectLocal(t *testing.T) {
	tests := []struct {
		name, next, want string
	}{
		{"empty_is_the_list", "", "/"},
		{"local_path_with_query", "/ok?x=1", "/ok?x=1"},
		{"local_page", "/bulletins/avis/edit", "/bulletins/avis/edit"},
		{"scheme_relative", "//evil.example", "/"},
		{"tab_dropped_by_browsers", "/\t/evil.example/phish", "/"},
		{"newline_dropped_by_browsers", "/\n/evil.example", "/"},
		{"backslash_read_as_slash", "/\\evil.example", "/"},
		{"backslash_later", "/ok\\..\\evil", "/"},
		{"absolute_url", "https://evil.example", "/"},
		{"encoded_tab", "/%09/evil", "/"},
		{"encoded_slash_pair", "/%2F/evil.example", "/"},
		{"encoded_backslash", "/%5Cevil.example", "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"relative", "evil.example", "/"},
		{"not_utf8", "/\xff\xfe", "/"},
		{"encoded_not_utf8", "/%ff", "/"},
		{"bad_escape", "/%zz", "/"},
		{"nul", "/ok\x00", "/"},
		{"del", "/ok\x7f", "/"},
		{"c1_control", "/ok\u0085", "/"},
		{"very_long", "/" + strings.Repeat("a", maxNext), "/"},
		{"long_but_fine", "/" + strings.Repeat("a", 100), "/" + strings.Repeat("a", 100)},
		{"login_loop", "/login?next=/", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := safeNext(tt.next); got != tt.want {
				t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
			}
		})
	}
}
