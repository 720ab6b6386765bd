package accounts

import (
	"context"
	"errors"
	"fmt"
)

// errNoKeys is a store made without a keyring asked to seal or open a TOTP secret.
var errNoKeys = errors.New("no secret key to seal TOTP secrets with (set EDITOR_SECRET_KEY_FILE)")

// putUser writes u, creating it (last 0) or updating it at revision last, with its TOTP
// secret sealed: whatever the caller holds in clear never reaches the bus. A record
// read in clear (from before sealing) is sealed here, at its first write.
func (s *Store) putUser(ctx context.Context, u *User, last uint64) error {
	rec := *u
	if rec.TOTPSecret != "" {
		if s.keys == nil {
			return errNoKeys
		}
		sealed, err := s.keys.seal(rec.Name, rec.TOTPSecret)
		if err != nil {
			return err
		}
		rec.TOTPSealed, rec.TOTPSecret = sealed, ""
		u.TOTPSealed = sealed
	}
	return putJSON(ctx, s.users, userKey(rec.Name), &rec, last)
}

// totpSecret is u's second factor in clear, for checking a code.
func (s *Store) totpSecret(u *User) (string, error) {
	if u.TOTPSealed == "" {
		return u.TOTPSecret, nil // an old record, until Migrate or its next write seals it
	}
	if s.keys == nil {
		return "", errNoKeys
	}
	return s.keys.open(u.Name, u.TOTPSealed)
}

// Migration is what Migrate changed.
type Migration struct {
	// Sealed counts accounts whose TOTP secret was in clear.
	Sealed int
	// TokensDated counts automation tokens made before tokens expired, given one now.
	TokensDated int
}

// Migrate brings older records up to date, at start: it seals every TOTP secret still
// in clear, gives every token without an expiry one (DefaultTokenTTL from now), and
// checks that every sealed secret opens, so a wrong key file stops the editor at once
// with ErrWrongKey rather than at a member's login.
func (s *Store) Migrate(ctx context.Context) (Migration, error) {
	var m Migration
	users, err := allJSON[User](ctx, s.users)
	if err != nil {
		return m, fmt.Errorf("migrate accounts: %w", err)
	}
	for _, k := range users {
		u := k.val
		if u.TOTPSecret == "" {
			if _, err := s.totpSecret(u); err != nil {
				return m, fmt.Errorf("migrate accounts: %w", err)
			}
			continue
		}
		if _, err := s.update(ctx, u.Name, func(*User) error { return nil }); err != nil { // putUser seals it
			return m, fmt.Errorf("migrate accounts: %w", err)
		}
		m.Sealed++
	}
	n, err := s.dateTokens(ctx)
	m.TokensDated = n
	return m, err
}

// Rekey seals every account's TOTP secret again with the key file's first key, and
// returns how many it changed; "editor keys rotate" runs it while the old key is still
// in the file, then again once it is gone, for an account added meanwhile.
func (s *Store) Rekey(ctx context.Context) (int, error) {
	if s.keys == nil {
		return 0, errNoKeys
	}
	if err := s.keys.reload(); err != nil {
		return 0, err
	}
	cur := s.keys.Current()
	users, err := s.Users(ctx)
	if err != nil {
		return 0, fmt.Errorf("rekey: %w", err)
	}
	n := 0
	for _, u := range users {
		if u.TOTPSecret == "" && (u.TOTPSealed == "" || sealedWith(u.TOTPSealed) == cur) {
			// An empty one is a reset second factor: nothing to seal until it is set up.
			continue
		}
		_, err := s.update(ctx, u.Name, func(u *User) error {
			secret, err := s.totpSecret(u)
			if err != nil {
				return err
			}
			u.TOTPSecret = secret // putUser seals it with the current key
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("rekey: %w", err)
		}
		n++
	}
	return n, nil
}
