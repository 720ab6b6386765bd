package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token is an API token for automation: it acts with its role under its own name.
type Token struct {
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by,omitempty"`
}

// tokenPrefix makes a leaked token easy to recognise in a scan.
const tokenPrefix = "pgt_"

// CreateToken makes a token called name and returns its secret, which is stored only
// as a hash: it is shown this once.
func (s *Store) CreateToken(ctx context.Context, name string, role Role, by string) (string, *Token, error) {
	if err := CheckName(name); err != nil {
		return "", nil, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return "", nil, err
	}
	existing, err := s.Tokens(ctx)
	if err != nil {
		return "", nil, err
	}
	for _, t := range existing {
		if t.Name == name {
			return "", nil, fmt.Errorf("token %s: %w (revoke it first)", name, ErrExists)
		}
	}
	secret, key := newSecret(tokenPrefix)
	t := &Token{Name: name, Role: role, Created: s.now().UTC(), CreatedBy: by}
	if err := putJSON(ctx, s.tokens, key, t, 0); err != nil {
		return "", nil, fmt.Errorf("create token %s: %w", name, err)
	}
	return secret, t, nil
}

// ErrBadToken is returned for an unknown or revoked token.
var ErrBadToken = errors.New("unknown or revoked API token")

// LookupToken returns the token whose secret is given.
func (s *Store) LookupToken(ctx context.Context, secret string) (*Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, ErrBadToken
	}
	t, _, err := getJSON[Token](ctx, s.tokens, hashKey(secret))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	return t, nil
}

// Tokens lists every token (names and roles; the secrets are not stored).
func (s *Store) Tokens(ctx context.Context) ([]*Token, error) {
	all, err := allJSON[Token](ctx, s.tokens)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out := make([]*Token, len(all))
	for i, k := range all {
		out[i] = k.val
	}
	return out, nil
}

// RevokeToken deletes the token called name; it stops working at once.
func (s *Store) RevokeToken(ctx context.Context, name string) error {
	all, err := allJSON[Token](ctx, s.tokens)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", name, err)
	}
	for _, k := range all {
		if k.val.Name == name {
			if err := s.tokens.Delete(ctx, k.key); err != nil {
				return fmt.Errorf("revoke token %s: %w", name, err)
			}
			return nil
		}
	}
	return fmt.Errorf("revoke token %s: %w", name, ErrNotFound)
}
