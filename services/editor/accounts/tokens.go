package accounts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token is an API token. An automation token (User empty) acts under its own name,
// "token:NAME", with its scope's role, never more than its owner's role is now; it ends
// at Expires and with its owner's account. A login token is what "editor login" gets
// for a member who gave password and TOTP code: it acts as that member, with the
// member's current role, until Expires. Only the SHA-256 of the secret is stored (it is
// the key), so the record itself opens nothing.
type Token struct {
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by,omitempty"`
	// User is the account a login token acts for.
	User string `json:"user,omitempty"`
	// Owner is the account answerable for an automation token; removing the account
	// removes the token, and the account's role caps the token's. Empty on tokens made
	// before owners, which act with Role until they expire.
	Owner string `json:"owner,omitempty"`
	// Scope is what an automation token is for; Role is the role it grants.
	Scope Scope `json:"scope,omitempty"`
	// Expires ends the token. Every token has one; tokens made before automation
	// tokens expired are given one by Migrate.
	Expires time.Time `json:"expires,omitzero"`
	// LastUsed is when a request last came with the token (to the minute).
	LastUsed time.Time `json:"last_used,omitzero"`
}

// Actor is the name the audit log and the bulletins record for what the token does.
func (t *Token) Actor() string {
	if t.User != "" {
		return t.User
	}
	return "token:" + t.Name
}

// Acting is the role a request with the token acts with: a login token its member's
// role now; an automation token its scope's, but never more than its owner's now, so a
// demoted owner's scripts are demoted with her.
func (t *Token) Acting(member *User) Role {
	if member == nil {
		return t.Role
	}
	if t.User != "" || t.Role.Allows(member.Role) {
		return member.Role // a login token, or an owner who may do less than the scope
	}
	return t.Role
}

// Scope is what an automation token may do.
type Scope string

const (
	// ScopePublish publishes, edits, schedules, retracts and retries: a publisher.
	ScopePublish Scope = "publish"
	// ScopeAdmin may do whatever an administrator may through the API.
	ScopeAdmin Scope = "admin"
)

// Scopes lists the scopes, the narrowest first.
var Scopes = []Scope{ScopePublish, ScopeAdmin}

// Role is the role a token of scope sc acts with.
func (sc Scope) Role() Role {
	if sc == ScopeAdmin {
		return Admin
	}
	return Publisher
}

// ParseScope checks a scope name.
func ParseScope(s string) (Scope, error) {
	for _, sc := range Scopes {
		if string(sc) == s {
			return sc, nil
		}
	}
	return "", &RuleError{Key: "rule.scope", Args: []any{s}, Text: fmt.Sprintf("unknown scope %q (want publish or admin)", s)}
}

// Token lifetimes.
const (
	// DefaultTokenTTL: a script's token is renewed each quarter, so a forgotten one
	// does not work for ever.
	DefaultTokenTTL = 90 * 24 * time.Hour
	// MaxTokenTTL: at least once a year someone looks at what each script may do.
	MaxTokenTTL = 366 * 24 * time.Hour
)

// NewToken is what CreateToken needs to make an automation token.
type NewToken struct {
	Name  string
	Scope Scope
	// Owner is the account the token is answerable to; it must exist, and its role
	// must allow the scope.
	Owner string
	// TTL is how long it works; 0 means DefaultTokenTTL.
	TTL time.Duration
	// By is who creates it, for the record.
	By string
}

// tokenPrefix makes a leaked token easy to recognise in a scan.
const tokenPrefix = "pgt_"

// CreateToken makes an automation token and returns its secret, which is stored only
// as a hash: it is shown this once.
func (s *Store) CreateToken(ctx context.Context, n NewToken) (string, *Token, error) {
	if err := CheckName(n.Name); err != nil {
		return "", nil, err
	}
	n.Name = NormalizeName(n.Name)
	if _, err := ParseScope(string(n.Scope)); err != nil {
		return "", nil, err
	}
	if n.TTL == 0 {
		n.TTL = DefaultTokenTTL
	}
	if n.TTL < time.Hour || n.TTL > MaxTokenTTL {
		return "", nil, &RuleError{Key: "rule.tokenTTL", Args: []any{n.Name, n.TTL.String()}, Text: fmt.Sprintf("token %s: expiry %s is out of range (want from 1h to 366d)", n.Name, n.TTL)}
	}
	owner, err := s.User(ctx, n.Owner)
	if errors.Is(err, ErrNotFound) {
		return "", nil, &RuleError{Key: "rule.tokenOwner", Args: []any{n.Name, n.Owner}, Text: fmt.Sprintf("token %s: owner %q: no such account", n.Name, n.Owner)}
	}
	if err != nil {
		return "", nil, err
	}
	if !owner.Role.Allows(n.Scope.Role()) {
		return "", nil, &RuleError{Key: "rule.tokenOwnerRole", Args: []any{n.Name, owner.Name, Word{"role", string(owner.Role)}, Word{"scope", string(n.Scope)}}, Text: fmt.Sprintf("token %s: %s is %s and cannot own a token of scope %s (want an owner who may do what the token does)", n.Name, owner.Name, owner.Role, n.Scope)}
	}
	existing, err := s.Tokens(ctx)
	if err != nil {
		return "", nil, err
	}
	for _, t := range existing {
		if t.Name == n.Name {
			return "", nil, &RuleError{Key: "rule.tokenExists", Args: []any{n.Name}, Text: fmt.Sprintf("token %s: %s (revoke it first)", n.Name, ErrExists), Err: ErrExists}
		}
	}
	secret, key := newSecret(tokenPrefix)
	now := s.now().UTC()
	t := &Token{Name: n.Name, Role: n.Scope.Role(), Scope: n.Scope, Owner: owner.Name, Created: now, CreatedBy: n.By,
		Expires: now.Add(n.TTL)}
	if err := putJSON(ctx, s.tokens, key, t, 0); err != nil {
		return "", nil, fmt.Errorf("create token %s: %w", n.Name, err)
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

// LookupToken returns the token whose secret is given and the account it stands for
// as it is now: a login token's member, an automation token's owner (nil for a token
// made before owners). With Token.Acting they give the request's role, so a demotion
// applies at once. An expired token, or one whose account is gone, is deleted.
func (s *Store) LookupToken(ctx context.Context, secret string) (*Token, *User, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, nil, ErrBadToken
	}
	key := hashKey(secret)
	t, rev, err := getJSON[Token](ctx, s.tokens, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrBadToken
	}
	if err != nil {
		return nil, nil, fmt.Errorf("token: %w", err)
	}
	now := s.now()
	if !t.Expires.IsZero() && !now.Before(t.Expires) {
		_ = s.tokens.Delete(ctx, key)
		return nil, nil, ErrBadToken
	}
	var u *User
	if who := cmp.Or(t.User, t.Owner); who != "" {
		u, err = s.User(ctx, who)
		if errors.Is(err, ErrNotFound) {
			_ = s.tokens.Delete(ctx, key)
			return nil, nil, ErrBadToken
		}
		if err != nil {
			return nil, nil, fmt.Errorf("token: %w", err)
		}
	}
	if now.Sub(t.LastUsed) > touchEvery {
		t.LastUsed = now.UTC().Truncate(time.Minute)
		_ = putJSON(ctx, s.tokens, key, t, rev) // a lost race means another request touched it
	}
	return t, u, nil
}

// dateTokens gives every token without an expiry one, DefaultTokenTTL from now, and
// returns how many: tokens made before they expired would otherwise work for ever.
func (s *Store) dateTokens(ctx context.Context) (int, error) {
	all, err := allJSON[Token](ctx, s.tokens)
	if err != nil {
		return 0, fmt.Errorf("migrate tokens: %w", err)
	}
	n := 0
	for _, k := range all {
		if !k.val.Expires.IsZero() {
			continue
		}
		e, err := s.tokens.Get(ctx, k.key)
		if err != nil {
			continue // revoked meanwhile
		}
		k.val.Expires = s.now().UTC().Add(DefaultTokenTTL)
		if err := putJSON(ctx, s.tokens, k.key, k.val, e.Revision()); err != nil && !isConflict(err) {
			return n, fmt.Errorf("migrate tokens: %w", err)
		}
		n++
	}
	return n, nil
}

// removeTokensOf deletes every token of the account called name: its login tokens and
// the automation tokens it owns.
func (s *Store) removeTokensOf(ctx context.Context, name string) error {
	all, err := allJSON[Token](ctx, s.tokens)
	if err != nil {
		return fmt.Errorf("remove tokens of %s: %w", name, err)
	}
	for _, k := range all {
		if k.val.User == name || k.val.Owner == name {
			if err := s.tokens.Delete(ctx, k.key); err != nil {
				return fmt.Errorf("remove tokens of %s: %w", name, err)
			}
		}
	}
	return nil
}

// RevokeTokenSecret deletes the token whose secret is given: "editor logout".
func (s *Store) RevokeTokenSecret(ctx context.Context, secret string) error {
	if err := s.tokens.Delete(ctx, hashKey(secret)); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// Tokens lists every token (names, owners, scopes, expiry, last use; the secrets are
// not stored).
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
	name = NormalizeName(name)
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
