package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// firstAdminKey is the claim every door takes before it makes the first
// administrator — the command line's request on the bus and the browser's first-run
// link, on any replica: one create-only key, so two doors racing make one
// administrator, not two.
const firstAdminKey = reservedPrefix + "first-admin"

// firstAdminClaimTTL: a claim older than this, with still no account, was left by an
// editor that stopped between the claim and the account; a new door may take it over.
const firstAdminClaimTTL = time.Minute

type firstAdminClaim struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

// claimFirstAdmin takes the one first-administrator claim for name, or answers
// ErrHasAccounts when another door holds it (or an account exists). release gives the
// claim back when the account could not be made after all.
func (s *Store) claimFirstAdmin(ctx context.Context, name string) (release func(), err error) {
	now := s.now().UTC()
	claim := firstAdminClaim{Name: name, At: now}
	err = putJSON(ctx, s.users, firstAdminKey, claim, 0)
	if errors.Is(err, ErrExists) {
		err = s.takeOverStaleClaim(ctx, claim)
	}
	if err != nil {
		return nil, err
	}
	if n, err := s.countUsers(ctx); err != nil || n > 0 {
		return nil, cmpErr(err, ErrHasAccounts)
	}
	release = func() {
		// A fresh context: the caller's may be what failed.
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.users.Delete(rctx, firstAdminKey)
	}
	return release, nil
}

// takeOverStaleClaim replaces a claim older than firstAdminClaimTTL (compare-and-set,
// so of two doors taking it over one wins); a fresher one is another door's.
func (s *Store) takeOverStaleClaim(ctx context.Context, claim firstAdminClaim) error {
	old, rev, err := getJSON[firstAdminClaim](ctx, s.users, firstAdminKey)
	if errors.Is(err, ErrNotFound) {
		return putJSON(ctx, s.users, firstAdminKey, claim, 0) // released meanwhile
	}
	if err != nil {
		return fmt.Errorf("first administrator: %w", err)
	}
	if claim.At.Sub(old.At) < firstAdminClaimTTL {
		return ErrHasAccounts
	}
	if err := putJSON(ctx, s.users, firstAdminKey, claim, rev); err != nil {
		return ErrHasAccounts // another door took it over first
	}
	return nil
}

// AddFirstAdmin creates the first administrator while the editor has no account, for
// the command line's door; by is who asked. Of two doors asking at once, one wins and
// the other gets ErrHasAccounts.
func (s *Store) AddFirstAdmin(ctx context.Context, name, password, by string) (*NewAccount, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if err := s.checkPassword(password); err != nil {
		return nil, err // checked before the claim, so a typo does not hold it
	}
	release, err := s.claimFirstAdmin(ctx, NormalizeName(name))
	if err != nil {
		return nil, err
	}
	na, err := s.AddUser(ctx, name, Admin, password, by)
	if err != nil {
		release()
		return nil, err
	}
	return na, nil
}
