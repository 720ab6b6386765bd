package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token is an API token. An automation token (User empty) acts with its role under its
// own name, "token:NAME". A login token is what "editor login" gets for a member who
// gave password and TOTP code: it acts as that member, with the member's current role,
// until Expires.
type Token struct {
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by,omitempty"`
	// User is the account a login token acts for.
	User string `json:"user,omitempty"`
	// Expires ends a login token; zero for automation tokens, which last until revoked.
	Expires time.Time `json:"expires,omitzero"`
}

// Actor is the name the audit log and the bulletins record for what the token does.
func (t *Token) Actor() string {
	if t.User != "" {
		return t.User
	}
	return "token:" + t.Name
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

// CreateLoginToken makes a login token for u, who has just authenticated, valid for
// ttl, and returns its secret (shown once). The user's login tokens that have run out
// are removed meanwhile, so they do not pile up.
func (s *Store) CreateLoginToken(ctx context.Context, u *User, ttl time.Duration) (string, *Token, error) {
	if ttl <= 0 {
		return "", nil, errors.New("login token: want a positive lifetime")
	}
	now := s.now().UTC()
	all, err := allJSON[Token](ctx, s.tokens)
	if err != nil {
		return "", nil, fmt.Errorf("login token for %s: %w", u.Name, err)
	}
	for _, k := range all {
		if k.val.User == u.Name && !k.val.Expires.After(now) {
			_ = s.tokens.Delete(ctx, k.key)
		}
	}
	secret, key := newSecret(tokenPrefix)
	// The name only has to be unique and readable in "token list"; the secret is elsewhere.
	name := "login." + u.Name + "." + strings.ToLower(key[:8])
	t := &Token{Name: name, Role: u.Role, Created: now, CreatedBy: u.Name, User: u.Name, Expires: now.Add(ttl)}
	if err := putJSON(ctx, s.tokens, key, t, 0); err != nil {
		return "", nil, fmt.Errorf("login token for %s: %w", u.Name, err)
	}
	return secret, t, nil
}

// ErrBadToken is returned for an unknown, revoked or expired token, or a login token
// whose account is gone.
var ErrBadToken = errors.New("unknown or revoked API token")

// LookupToken returns the token whose secret is given and, for a login token, its
// account as it is now (its role included: a demotion applies at once).
func (s *Store) LookupToken(ctx context.Context, secret string) (*Token, *User, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, nil, ErrBadToken
	}
	key := hashKey(secret)
	t, _, err := getJSON[Token](ctx, s.tokens, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrBadToken
	}
	if err != nil {
		return nil, nil, fmt.Errorf("token: %w", err)
	}
	if t.User == "" {
		return t, nil, nil
	}
	if !s.now().Before(t.Expires) {
		_ = s.tokens.Delete(ctx, key)
		return nil, nil, ErrBadToken
	}
	u, err := s.User(ctx, t.User)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrBadToken
	}
	if err != nil {
		return nil, nil, fmt.Errorf("token: %w", err)
	}
	return t, u, nil
}

// RevokeTokenSecret deletes the token whose secret is given: "editor logout".
func (s *Store) RevokeTokenSecret(ctx context.Context, secret string) error {
	if err := s.tokens.Delete(ctx, hashKey(secret)); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
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
