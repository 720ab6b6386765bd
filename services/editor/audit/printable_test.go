package audit

import "testing"

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"anna", "anna"},
		{"àngels.puig", "àngels.puig"},
		{"publisher → admin", "publisher → admin"},
		{"ana\x00", `"ana\x00"`},
		{"ana\r\nSet-Cookie: x", `"ana\r\nSet-Cookie: x"`},
		{"ana\u202egpj.exe", `"ana\u202egpj.exe"`},
		{"bad \xff byte", `"bad \xff byte"`},
	} {
		if got := printable(tc.in); got != tc.want {
			t.Errorf("printable(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
