package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/natstest"
)

func TestActingRoleIsTheScopeCappedByTheOwner(t *testing.T) {
	tests := []struct {
		name  string
		token Token
		owner *User
		want  Role
	}{
		{"publish_by_admin", Token{Role: Publisher, Scope: ScopePublish, Owner: "a"}, &User{Role: Admin}, Publisher},
		{"admin_by_admin", Token{Role: Admin, Scope: ScopeAdmin, Owner: "a"}, &User{Role: Admin}, Admin},
		{"admin_by_demoted_owner", Token{Role: Admin, Scope: ScopeAdmin, Owner: "a"}, &User{Role: Writer}, Writer},
		{"publish_by_demoted_owner", Token{Role: Publisher, Scope: ScopePublish, Owner: "a"}, &User{Role: Writer}, Writer},
		{"login_token_follows_member", Token{Role: Writer, User: "a"}, &User{Role: Admin}, Admin},
		{"legacy_without_owner", Token{Role: Publisher}, nil, Publisher},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.token.Acting(tt.owner); got != tt.want {
				t.Errorf("Acting = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCreateTokenSaysWhatIsWrong(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()
	for name, role := range map[string]Role{"anna": Admin, "wendy": Writer} {
		if _, err := s.AddUser(ctx, name, role, testPassword, "test"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		in      NewToken
		wantErr string
	}{
		{"no_owner", NewToken{Name: "x", Scope: ScopePublish}, `owner "": no such account`},
		{"unknown_owner", NewToken{Name: "x", Scope: ScopePublish, Owner: "nobody"}, `owner "nobody": no such account`},
		{"writer_owner", NewToken{Name: "x", Scope: ScopePublish, Owner: "wendy"}, "wendy is writer and cannot own a token of scope publish"},
		{"bad_scope", NewToken{Name: "x", Scope: "writer", Owner: "anna"}, `unknown scope "writer" (want publish or admin)`},
		{"too_long", NewToken{Name: "x", Scope: ScopePublish, Owner: "anna", TTL: 400 * 24 * time.Hour}, "out of range (want from 1h to 366d)"},
		{"too_short", NewToken{Name: "x", Scope: ScopePublish, Owner: "anna", TTL: time.Minute}, "out of range"},
		{"fine", NewToken{Name: "x", Scope: ScopeAdmin, Owner: "anna"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, tok, err := s.CreateToken(ctx, tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tok.Expires.Equal(c.t.Add(DefaultTokenTTL)) || tok.Role != Admin {
				t.Errorf("token %+v, %v; want admin, expiring in 90 days", tok, err)
			}
		})
	}
}

// A token records its last use, stops at its expiry and goes with its owner.
func TestTokenLifecycle(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()
	for _, n := range []string{"anna", "bea"} {
		if _, err := s.AddUser(ctx, n, Admin, testPassword, "test"); err != nil {
			t.Fatal(err)
		}
	}
	short, _, err := s.CreateToken(ctx, NewToken{Name: "short", Scope: ScopePublish, Owner: "anna", TTL: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	owned, _, err := s.CreateToken(ctx, NewToken{Name: "owned", Scope: ScopePublish, Owner: "bea"})
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	if _, owner, err := s.LookupToken(ctx, short); err != nil || owner.Name != "anna" {
		t.Fatalf("lookup: %v, owner %v", err, owner)
	}
	toks, _ := s.Tokens(ctx)
	for _, tok := range toks {
		if tok.Name == "short" && !tok.LastUsed.Equal(c.t) {
			t.Errorf("last used %v, want %v", tok.LastUsed, c.t)
		}
	}
	c.t = c.t.Add(time.Hour)
	if _, _, err := s.LookupToken(ctx, short); !errors.Is(err, ErrBadToken) {
		t.Errorf("expired token: %v, want ErrBadToken", err)
	}
	if err := s.RemoveUser(ctx, "bea"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LookupToken(ctx, owned); !errors.Is(err, ErrBadToken) {
		t.Errorf("token of a removed owner: %v, want ErrBadToken", err)
	}
	if toks, _ := s.Tokens(ctx); len(toks) != 0 {
		t.Errorf("tokens left: %+v; want none (one expired, one removed with its owner)", toks)
	}
}

// A token from before expiry got one at start.
func TestMigrateDatesOldTokens(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()
	secret, key := newSecret(tokenPrefix)
	if err := putJSON(ctx, s.tokens, key, &Token{Name: "old", Role: Publisher, Created: c.t}, 0); err != nil {
		t.Fatal(err)
	}
	if m, err := s.Migrate(ctx); err != nil || m.TokensDated != 1 {
		t.Fatalf("Migrate = %+v, %v", m, err)
	}
	tok, _, err := s.LookupToken(ctx, secret)
	if err != nil || !tok.Expires.Equal(c.t.Add(DefaultTokenTTL)) || tok.Acting(nil) != Publisher {
		t.Errorf("old token %+v, %v; want it working, expiring in 90 days", tok, err)
	}
}
