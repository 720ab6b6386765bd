package bulletin_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/bulletin"
)

func TestCheckID(t *testing.T) {
	tests := []struct {
		id, wantIn string // wantIn: part of the message; "" for a good id
	}{
		{"2020-03-14-confinament", ""},
		{"a", ""},
		{strings.Repeat("a", bulletin.MaxIDLen), ""},
		{"", "empty"},
		{"*", `"*"`},
		{">", `">"`},
		{"a.b", `"a.b"`},
		{"../x", `"../x"`},
		{"confinamént", `"confinamént"`},
		{"Avis", `"Avis"`},
		{"-a", `"-a"`},
		{"a-", `"a-"`},
		{"a--b", `"a--b"`},
		{"a\nb", `"a\nb"`},
		{strings.Repeat("a", bulletin.MaxIDLen+1), "81 characters"},
		{strings.Repeat("a", 300), "300 characters"},
		{strings.Repeat("é", 300), `"` + strings.Repeat("é", 40) + `…"`},
	}
	for _, tt := range tests {
		err := bulletin.CheckID(tt.id)
		if tt.wantIn == "" {
			if err != nil {
				t.Errorf("CheckID(%q) = %v; want ok", tt.id, err)
			}
			continue
		}
		if !errors.Is(err, bulletin.ErrBadID) || !strings.Contains(err.Error(), tt.wantIn) || !strings.Contains(err.Error(), bulletin.IDRule) {
			t.Errorf("CheckID(%.20q) = %v; want ErrBadID naming %s and the rule", tt.id, err, tt.wantIn)
		}
	}
}
