package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/natstest"
)

func TestCheckNameSaysWhatIsWrong(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string // "" accepted
	}{
		{"ascii", "anna", ""},
		{"accented", "núria", ""},
		{"capital_folded", "Pérez", ""},
		{"decomposed", "nu\u0301ria", ""},
		{"other_script", "αλέξης", ""},
		{"dots_dashes", "anna.puig-i_serra", ""},
		{"digits", "2020", ""},
		{"empty", "", "name: empty"},
		{"space_start", " núria", "starts or ends with a space"},
		{"space_end", "núria ", "starts or ends with a space"},
		{"space_inside", "núria puig", "a space inside"},
		{"control", "nú\u0007ria", "a control character at position 3"},
		{"newline", "anna\nadmin", "a control character"},
		{"invisible", "an\u200bna", "a control character"},
		{"slash", "anna/x", `'/' is not allowed`},
		{"starts_with_dot", ".anna", "want a letter or digit first"},
		{"too_long", strings.Repeat("é", 65), "65 characters (want at most 64)"},
		{"just_long_enough", strings.Repeat("é", 64), ""},
		{"bad_utf8", "an\xffna", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckName(tt.in)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("CheckName(%q) = %v, want accepted", tt.in, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("CheckName(%q) accepted, want %q", tt.in, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("CheckName(%q) = %v, want it to say %q", tt.in, err, tt.wantErr)
			case err != nil && !strings.HasPrefix(err.Error(), "name"):
				t.Fatalf("CheckName(%q) = %v: the error must name the field", tt.in, err)
			}
		})
	}
}

func TestUserKeysAreValidAndOldOnesUnchanged(t *testing.T) {
	tests := []struct{ name, want string }{
		{"anna", "anna"},
		{"anna.puig-i_serra", "anna.puig-i_serra"},
		{"núria", "=bsO6cmlh"},
		{"pérez", "=cMOpcmV6"},
	}
	for _, tt := range tests {
		if got := userKey(tt.name); got != tt.want {
			t.Errorf("userKey(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// An accented member lives the whole life of an account: created, found under either
// spelling, logs in, is listed, owns a token, is removed with her tokens.
func TestAccentedNamesLiveAWholeAccount(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()
	na, err := s.AddUser(ctx, "Núria", Admin, testPassword, "test")
	if err != nil {
		t.Fatalf("add Núria: %v", err)
	}
	if na.User.Name != "núria" {
		t.Fatalf("stored name %q, want the normal form núria", na.User.Name)
	}
	if _, err := s.AddUser(ctx, "nu\u0301ria", Writer, testPassword, "test"); !errors.Is(err, ErrExists) {
		t.Fatalf("the decomposed spelling made a second account (err %v), want ErrExists", err)
	}
	if _, err := s.AddUser(ctx, "Pérez", Publisher, testPassword, "test"); err != nil {
		t.Fatalf("add Pérez: %v", err)
	}
	if _, err := s.AddUser(ctx, "anna", Writer, testPassword, "test"); err != nil {
		t.Fatal(err)
	}
	for _, spelling := range []string{"núria", "NÚRIA", "nu\u0301ria"} {
		if u, err := s.User(ctx, spelling); err != nil || u.Name != "núria" {
			t.Errorf("User(%q) = %v, %v; want núria", spelling, u, err)
		}
	}
	if err := login(t, s, c, "nu\u0301ria", na.User.TOTPSecret); err != nil {
		t.Fatalf("login as núria (decomposed): %v", err)
	}
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Name)
	}
	if got := strings.Join(names, ","); got != "anna,núria,pérez" {
		t.Fatalf("Users = %s, want anna,núria,pérez", got)
	}
	if _, _, err := s.CreateToken(ctx, NewToken{Name: "importació", Scope: ScopePublish, Owner: "núria", By: "núria"}); err != nil {
		t.Fatalf("token owned by núria: %v", err)
	}
	if err := s.RemoveUser(ctx, "Núria"); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := s.User(ctx, "núria"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after removal User = %v, want ErrNotFound", err)
	}
	toks, err := s.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 0 {
		t.Fatalf("núria's token outlived her account: %+v", toks[0])
	}
}

// A record an older editor wrote under its plain name is found, logs in and is listed.
func TestOldASCIIRecordsAreStillFound(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()
	na, err := s.AddUser(ctx, "anna", Admin, testPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := raw(t, s.users, "anna"); !strings.Contains(got, `"name":"anna"`) {
		t.Fatalf("anna's record is not under the key anna: %s", got)
	}
	if err := login(t, s, c, "anna", na.User.TOTPSecret); err != nil {
		t.Fatal(err)
	}
}
