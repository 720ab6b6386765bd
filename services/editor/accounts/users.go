package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/bcrypt"
)

// Policy is how hard logins are to guess.
type Policy struct {
	// MaxFailures in a row lock the account for Lockout.
	MaxFailures int
	Lockout     time.Duration
	// FailDelay is added to every failed login, so guessing is slow even before lockout.
	FailDelay time.Duration
	// BcryptCost of new password hashes.
	BcryptCost int
	// Issuer names the council in the authenticator app.
	Issuer string
	// MinPassword is the shortest password accepted.
	MinPassword int
}

// TOTP parameters: the authenticator apps' defaults, which every app supports.
const (
	totpPeriod = 30
	// totpSkew accepts the code of one step before and after, for a phone's clock drift.
	totpSkew = 1
)

// Store keeps accounts, sessions and tokens. It is safe for concurrent use.
type Store struct {
	users, sessions, tokens jetstream.KeyValue
	policy                  Policy
	now                     func() time.Time
	dummyHash               []byte
}

// NewStore creates or updates the buckets and binds to them.
func NewStore(ctx context.Context, js jetstream.JetStream, t Topology, p Policy, now func() time.Time) (*Store, error) {
	acc, ses, tok, err := createBuckets(ctx, js, t)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	if p.BcryptCost == 0 {
		p.BcryptCost = bcrypt.DefaultCost
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("no such user"), p.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return &Store{users: acc, sessions: ses, tokens: tok, policy: p, now: now, dummyHash: dummy}, nil
}

// NewAccount is what AddUser returns: the secret to put in the authenticator app. It is
// shown once, when the account is made.
type NewAccount struct {
	User *User
	// URI is the otpauth:// provisioning URI (the QR code's content).
	URI string
}

// AddUser creates an account with a fresh TOTP secret. It fails with ErrExists when the
// name is taken.
func (s *Store) AddUser(ctx context.Context, name string, role Role, password, by string) (*NewAccount, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return nil, err
	}
	if len([]rune(password)) < s.policy.MinPassword {
		return nil, fmt.Errorf("password: at least %d characters, please", s.policy.MinPassword)
	}
	if len(password) > 72 {
		return nil, errors.New("password: at most 72 bytes (bcrypt's limit)")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.policy.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("add user %s: %w", name, err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.policy.Issuer, AccountName: name, Period: totpPeriod, Rand: rand.Reader})
	if err != nil {
		return nil, fmt.Errorf("add user %s: totp: %w", name, err)
	}
	u := &User{Name: name, Role: role, PasswordHash: hash, TOTPSecret: key.Secret(), Created: s.now().UTC(), CreatedBy: by}
	if err := putJSON(ctx, s.users, name, u, 0); err != nil {
		if errors.Is(err, ErrExists) {
			return nil, fmt.Errorf("add user %s: %w", name, ErrExists)
		}
		return nil, fmt.Errorf("add user %s: %w", name, err)
	}
	return &NewAccount{User: u, URI: key.URL()}, nil
}

// User returns the account called name, or ErrNotFound.
func (s *Store) User(ctx context.Context, name string) (*User, error) {
	if CheckName(name) != nil {
		return nil, ErrNotFound
	}
	u, _, err := getJSON[User](ctx, s.users, name)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", name, err)
	}
	return u, nil
}

// Users lists every account by name.
func (s *Store) Users(ctx context.Context) ([]*User, error) {
	all, err := allJSON[User](ctx, s.users)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := make([]*User, len(all))
	for i, k := range all {
		out[i] = k.val
	}
	return out, nil
}

// RemoveUser deletes an account and every session it has.
func (s *Store) RemoveUser(ctx context.Context, name string) error {
	if _, err := s.User(ctx, name); err != nil {
		return err
	}
	if err := s.users.Delete(ctx, name); err != nil {
		return fmt.Errorf("remove user %s: %w", name, err)
	}
	return s.endSessionsOf(ctx, name)
}

// Login errors. Messages are for staff: they say what to do.
var (
	// ErrBadLogin does not say which factor was wrong, so a guesser learns nothing.
	ErrBadLogin = errors.New("the name, password or code is not right")
)

// LockedError is returned while an account is locked.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "too many failed attempts: this account is locked until " + e.Until.Local().Format("15:04") +
		"; wait, or ask an administrator"
}

// Authenticate checks a login: password and the current TOTP code. On success the code's
// time step is recorded so the same code is refused afterwards. On failure it waits
// Policy.FailDelay, counts the failure and locks the account after MaxFailures.
// It returns ErrBadLogin or *LockedError.
func (s *Store) Authenticate(ctx context.Context, name, password, code string) (*User, error) {
	for range 5 {
		u, err := s.tryAuthenticate(ctx, name, password, code)
		if isConflict(err) {
			continue // another login of this account raced us: read it again
		}
		if err != nil && (errors.Is(err, ErrBadLogin) || errors.As(err, new(*LockedError))) {
			s.slow(ctx)
		}
		return u, err
	}
	return nil, fmt.Errorf("login %s: too many concurrent attempts", name)
}

func (s *Store) slow(ctx context.Context) {
	t := time.NewTimer(s.policy.FailDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (s *Store) tryAuthenticate(ctx context.Context, name, password, code string) (*User, error) {
	var u *User
	var rev uint64
	var err error
	if CheckName(name) == nil {
		u, rev, err = getJSON[User](ctx, s.users, name)
	} else {
		err = ErrNotFound
	}
	if errors.Is(err, ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password)) // same time as a real account
		return nil, ErrBadLogin
	}
	if err != nil {
		return nil, fmt.Errorf("login %s: %w", name, err)
	}
	now := s.now()
	if now.Before(u.LockedUntil) {
		return nil, &LockedError{Until: u.LockedUntil}
	}
	pwOK := bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)) == nil
	step, codeOK := s.checkCode(u, code, now)
	if pwOK && codeOK {
		u.Failures, u.LockedUntil, u.LastStep = 0, time.Time{}, step
		if err := putJSON(ctx, s.users, name, u, rev); err != nil {
			return nil, err
		}
		return u, nil
	}
	u.Failures++
	var locked *LockedError
	if u.Failures >= s.policy.MaxFailures {
		u.Failures, u.LockedUntil = 0, now.Add(s.policy.Lockout).UTC()
		locked = &LockedError{Until: u.LockedUntil}
	}
	if err := putJSON(ctx, s.users, name, u, rev); err != nil {
		return nil, err
	}
	if locked != nil {
		return nil, locked
	}
	return nil, ErrBadLogin
}

// checkCode finds the time step code belongs to, within the skew, later than the last
// accepted one.
func (s *Store) checkCode(u *User, code string, now time.Time) (uint64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	cur := uint64(now.Unix()) / totpPeriod
	for d := -totpSkew; d <= totpSkew; d++ {
		step := uint64(int64(cur) + int64(d))
		want, err := hotp.GenerateCodeCustom(u.TOTPSecret, step, hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > u.LastStep {
			return step, true
		}
	}
	return 0, false
}

// Code returns the TOTP code of secret at t, as an authenticator app would show it.
// Tests and the first-login helper use it.
func Code(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}
