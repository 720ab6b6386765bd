package accounts

import (
	"context"
	"fmt"
	"time"
)

// update applies change to the account called name, compare-and-set, reading it again
// when a login raced the write.
func (s *Store) update(ctx context.Context, name string, change func(*User) error) (*User, error) {
	if CheckName(name) != nil {
		return nil, fmt.Errorf("user %s: %w", name, ErrNotFound)
	}
	name = NormalizeName(name)
	for range 5 {
		u, rev, err := getJSON[User](ctx, s.users, userKey(name))
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", name, err)
		}
		if err := change(u); err != nil {
			return nil, fmt.Errorf("user %s: %w", name, err)
		}
		err = s.putUser(ctx, u, rev)
		if isConflict(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", name, err)
		}
		return u, nil
	}
	return nil, fmt.Errorf("user %s: too many concurrent changes; try again", name)
}

// Unlock ends the account's run of failed logins and its wait: an administrator's
// answer to a member kept waiting by someone guessing. A waiting address stays waiting.
func (s *Store) Unlock(ctx context.Context, name string) error {
	_, err := s.update(ctx, name, func(u *User) error {
		u.Failures, u.NotBefore = 0, time.Time{}
		return nil
	})
	return err
}

// SetRole gives the account called name role, and returns the role it had. Sessions and
// login tokens act with the account's role at each request, so it applies at once.
func (s *Store) SetRole(ctx context.Context, name string, role Role) (Role, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return "", err
	}
	var was Role
	_, err := s.update(ctx, name, func(u *User) error {
		was, u.Role = u.Role, role
		return nil
	})
	return was, err
}

// SetLang stores the member's language for the editor, so it follows her to any
// browser. The caller checks lang is one the editor speaks.
func (s *Store) SetLang(ctx context.Context, name, lang string) error {
	_, err := s.update(ctx, name, func(u *User) error {
		u.Lang = lang
		return nil
	})
	if err != nil {
		return fmt.Errorf("set language of %s: %w", name, err)
	}
	return nil
}
