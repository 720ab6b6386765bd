package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/bcrypt"
)

// Need names what a member must do before her login is complete.
type Need string

const (
	// NeedTOTP: set up a new second factor (an administrator reset hers).
	NeedTOTP Need = "totp"
	// NeedPassword: choose a new password (an administrator asked for one).
	NeedPassword Need = "password"
)

// SetupError is a login whose factors were right but which must first do what Need
// says. It is ErrBadLogin to any door that does not know it, so none lets such a login
// in by mistake; the login page knows it and opens the setup step.
type SetupError struct {
	User *User
	Need Need
}

func (e *SetupError) Error() string {
	if e.Need == NeedTOTP {
		return "the second factor was reset: set up a new one in the web UI before logging in"
	}
	return "a new password is due: choose one in the web UI before logging in"
}

// Is makes a setup ErrBadLogin, so no door grants it a session or a token.
func (e *SetupError) Is(target error) bool { return target == ErrBadLogin }

// ErrBadCode is a setup code that does not match the new secret.
var ErrBadCode = errors.New("the code is not right: type the 6-digit code the app shows now for the new entry")

// ResetTOTP drops the account's second factor: its next login takes the password alone
// and must set up a new one. Its sessions and login tokens end now, since whoever has
// the lost phone may hold one too; its automation tokens stay (they never used TOTP).
func (s *Store) ResetTOTP(ctx context.Context, name string) error {
	_, err := s.update(ctx, name, func(u *User) error {
		u.TOTPReset, u.TOTPSealed, u.TOTPSecret = true, "", ""
		u.Failures, u.NotBefore = 0, time.Time{}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reset second factor: %w", err)
	}
	return s.endLoginsOf(ctx, name)
}

// ForcePasswordChange makes the account's next login choose a new password. Its
// sessions and login tokens end now: the password they were opened with is suspect.
func (s *Store) ForcePasswordChange(ctx context.Context, name string) error {
	_, err := s.update(ctx, name, func(u *User) error {
		u.MustChangePassword = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("force password change: %w", err)
	}
	return s.endLoginsOf(ctx, name)
}

// endLoginsOf ends every session and login token of the account called name.
func (s *Store) endLoginsOf(ctx context.Context, name string) error {
	name = NormalizeName(name)
	if err := s.endSessionsOf(ctx, name); err != nil {
		return err
	}
	all, err := allJSON[Token](ctx, s.tokens)
	if err != nil {
		return fmt.Errorf("end login tokens of %s: %w", name, err)
	}
	for _, k := range all {
		if k.val.User == name {
			if err := s.tokens.Delete(ctx, k.key); err != nil {
				return fmt.Errorf("end login tokens of %s: %w", name, err)
			}
		}
	}
	return nil
}

// BeginTOTP gives an account whose second factor was reset a fresh secret, to show
// once; each call replaces the last, so a secret shown and lost is worth nothing.
// It counts only once ConfirmTOTP has seen a code of it.
func (s *Store) BeginTOTP(ctx context.Context, name string) (*NewAccount, error) {
	var uri string
	u, err := s.update(ctx, name, func(u *User) error {
		if !u.TOTPReset {
			return errors.New("the second factor was not reset")
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: s.policy.Issuer, AccountName: u.Name, Period: totpPeriod, Rand: rand.Reader})
		if err != nil {
			return fmt.Errorf("totp: %w", err)
		}
		u.TOTPSecret, uri = key.Secret(), key.URL()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("new second factor: %w", err)
	}
	return &NewAccount{User: u, URI: uri}, nil
}

// ConfirmTOTP ends the reset once code, from the app, matches the new secret: the
// member has it. The code's step is recorded, so it cannot log in again.
func (s *Store) ConfirmTOTP(ctx context.Context, name, code string) (*User, error) {
	now := s.now()
	u, err := s.update(ctx, name, func(u *User) error {
		if !u.TOTPReset {
			return errors.New("the second factor was not reset")
		}
		secret, err := s.totpSecret(u)
		if err != nil {
			return err
		}
		step, ok := checkCode(secret, u.LastStep, code, now)
		if secret == "" || !ok {
			return ErrBadCode
		}
		u.TOTPReset, u.LastStep = false, step
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("confirm second factor: %w", err)
	}
	return u, nil
}

// ChangePassword sets the account's password, which must follow the rule and differ
// from the one it replaces, and ends a forced change.
func (s *Store) ChangePassword(ctx context.Context, name, password string) (*User, error) {
	if err := s.checkPassword(password); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.policy.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("change password of %s: %w", name, err)
	}
	u, err := s.update(ctx, name, func(u *User) error {
		if s.compare(u.PasswordHash, []byte(password)) == nil {
			return &RuleError{Key: "rule.passwordSame", Text: "password: the new one must differ from the old one"}
		}
		u.PasswordHash, u.MustChangePassword = hash, false
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("change password: %w", err)
	}
	return u, nil
}
