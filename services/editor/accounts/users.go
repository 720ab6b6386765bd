package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/bcrypt"
)

// Policy is how hard logins are to guess.
type Policy struct {
	// FreeFailures in a row, of an account or from an address, cost only FailDelay: typos.
	FreeFailures int
	// Backoff is how long the attempt after the first failure beyond the free ones must
	// wait; each further failure doubles it, up to BackoffMax. An attempt that comes
	// sooner is refused unchecked, with the same answer as a wrong password.
	Backoff, BackoffMax time.Duration
	// FailDelay is the least time a failed login takes to answer, whatever failed, so
	// neither the answer nor its time tells a guesser why.
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
	// keys seal the TOTP secrets; nil refuses to store or read one.
	keys      *Keyring
	policy    Policy
	now       func() time.Time
	dummyHash []byte
	// compare is bcrypt's; every failed login runs it once, whatever failed.
	compare func(hash, password []byte) error
	addrs   addresses
}

// NewStore binds to the buckets, which the set-up must have created (t is not used);
// keys seal the TOTP secrets. Run Migrate once it is made, to seal what older editors left in clear.
func NewStore(ctx context.Context, js jetstream.JetStream, t Topology, p Policy, keys *Keyring, now func() time.Time) (*Store, error) {
	_ = t
	acc, ses, tok, err := bindBuckets(ctx, js)
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
	return &Store{users: acc, sessions: ses, tokens: tok, keys: keys, policy: p, now: now, dummyHash: dummy,
		compare: bcrypt.CompareHashAndPassword}, nil
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
	name = NormalizeName(name)
	if _, err := ParseRole(string(role)); err != nil {
		return nil, err
	}
	if err := s.checkPassword(password); err != nil {
		return nil, err
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
	if err := s.putUser(ctx, u, 0); err != nil {
		if errors.Is(err, ErrExists) {
			return nil, &RuleError{Key: "rule.exists", Args: []any{name}, Text: fmt.Sprintf("add user %s: %s", name, ErrExists), Err: ErrExists}
		}
		return nil, fmt.Errorf("add user %s: %w", name, err)
	}
	return &NewAccount{User: u, URI: key.URL()}, nil
}

// MinPassword is the shortest password accepted, for the forms that say so up front.
func (s *Store) MinPassword() int { return s.policy.MinPassword }

// checkPassword applies the password rule: MinPassword characters, and bcrypt's 72
// bytes at most (it ignores the rest, so a longer one would be weaker than it looks).
func (s *Store) checkPassword(password string) error {
	if len([]rune(password)) < s.policy.MinPassword {
		return &RuleError{Key: "rule.passwordShort", Args: []any{s.policy.MinPassword},
			Text: fmt.Sprintf("password: at least %d characters, please", s.policy.MinPassword)}
	}
	if len(password) > 72 {
		return &RuleError{Key: "rule.passwordLong", Text: "password: at most 72 bytes (bcrypt's limit)"}
	}
	return nil
}

// User returns the account called name, or ErrNotFound.
func (s *Store) User(ctx context.Context, name string) (*User, error) {
	if CheckName(name) != nil {
		return nil, ErrNotFound
	}
	name = NormalizeName(name)
	u, _, err := getJSON[User](ctx, s.users, userKey(name))
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
	out := make([]*User, 0, len(all))
	for _, k := range all {
		if isUserKey(k.key) {
			out = append(out, k.val)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// RemoveUser deletes an account, every session it has and every token it owns.
func (s *Store) RemoveUser(ctx context.Context, name string) error {
	u, err := s.User(ctx, name)
	if err != nil {
		return err
	}
	name = u.Name
	if err := s.users.Delete(ctx, userKey(name)); err != nil {
		return fmt.Errorf("remove user %s: %w", name, err)
	}
	if err := s.removeTokensOf(ctx, name); err != nil {
		return err
	}
	return s.endSessionsOf(ctx, name)
}

// ErrBadLogin is the one answer to every failed login — unknown name, wrong password
// or code, an attempt that came before its wait ended — so a guesser learns nothing,
// not even whether the name exists. The message is for staff: it says what to do.
var ErrBadLogin = errors.New("the name, password or code is not right")

// RefusedError is an attempt refused unchecked because its account or address must
// still wait. It is ErrBadLogin to every client; its text is for the audit log.
type RefusedError struct {
	// Why names what must wait: "account" or "address ADDR".
	Why   string
	Until time.Time
}

func (e *RefusedError) Error() string {
	return "refused unchecked: the " + e.Why + " must wait until " + e.Until.UTC().Format(time.RFC3339) + " after repeated failures"
}

// Is makes a refusal ErrBadLogin, so no door can answer it differently.
func (e *RefusedError) Is(target error) bool { return target == ErrBadLogin }

// Authenticate checks a login from remote (the client's address): password and the
// current TOTP code. On success the code's time step is recorded so the same code is
// refused afterwards, and the account's run of failures ends. A failure is counted
// against the account and the address, and each may have to wait (Policy.wait) before
// it is checked again; every failure returns an error that is ErrBadLogin, after the
// same bcrypt work and no sooner than Policy.FailDelay.
func (s *Store) Authenticate(ctx context.Context, name, password, code, remote string) (*User, error) {
	start := time.Now() // real time: the answer's delay is real, whatever the clock says
	u, err := s.authenticate(ctx, name, password, code, ClientKey(remote))
	var setup *SetupError
	if errors.Is(err, ErrBadLogin) && !errors.As(err, &setup) {
		s.slow(ctx, s.policy.FailDelay-time.Since(start))
	}
	return u, err
}

func (s *Store) authenticate(ctx context.Context, name, password, code, addr string) (*User, error) {
	now := s.now()
	if until, ok := s.addrs.waiting(addr, now); ok {
		_ = s.compare(s.dummyHash, []byte(password)) // the cost of a checked attempt
		return nil, &RefusedError{Why: "address " + addr, Until: until}
	}
	for range 5 {
		u, counted, err := s.tryAuthenticate(ctx, name, password, code, now)
		if isConflict(err) {
			continue // another login of this account raced us: read it again
		}
		if counted {
			s.addrs.fail(addr, now, s.policy)
		}
		return u, err
	}
	return nil, fmt.Errorf("login %s: too many concurrent attempts", name)
}

func (s *Store) slow(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// tryAuthenticate checks one attempt; counted says it was a failure to count against
// the address (a refusal unchecked is not: it only waits).
func (s *Store) tryAuthenticate(ctx context.Context, name, password, code string, now time.Time) (*User, bool, error) {
	var u *User
	var rev uint64
	var err error
	if CheckName(name) == nil {
		name = NormalizeName(name)
		u, rev, err = getJSON[User](ctx, s.users, userKey(name))
	} else {
		err = ErrNotFound
	}
	if errors.Is(err, ErrNotFound) {
		_ = s.compare(s.dummyHash, []byte(password)) // same time as a real account
		return nil, true, ErrBadLogin
	}
	if err != nil {
		return nil, false, fmt.Errorf("login %s: %w", name, err)
	}
	if now.Before(u.NotBefore) {
		_ = s.compare(u.PasswordHash, []byte(password)) // the cost of a checked attempt; the result is not used
		return nil, false, &RefusedError{Why: "account", Until: u.NotBefore}
	}
	pwOK := s.compare(u.PasswordHash, []byte(password)) == nil
	if pwOK && u.TOTPReset {
		// The old second factor is gone: the password alone opens the step that sets
		// up a new one, and nothing else (SetupError is no login).
		return nil, false, &SetupError{User: u, Need: NeedTOTP}
	}
	secret, err := s.totpSecret(u)
	if err != nil {
		return nil, false, fmt.Errorf("login %s: %w", name, err) // the server's fault, not the member's
	}
	step, codeOK := checkCode(secret, u.LastStep, code, now)
	if pwOK && codeOK {
		u.Failures, u.NotBefore, u.LastStep = 0, time.Time{}, step
		if err := s.putUser(ctx, u, rev); err != nil {
			return nil, false, err
		}
		if u.MustChangePassword {
			return nil, false, &SetupError{User: u, Need: NeedPassword}
		}
		return u, false, nil
	}
	if now.After(u.NotBefore.Add(forgetAfter)) {
		u.Failures = 0
	}
	u.Failures++
	u.NotBefore = now.Add(s.policy.wait(u.Failures)).UTC()
	if err := s.putUser(ctx, u, rev); err != nil {
		return nil, false, err
	}
	return nil, true, fmt.Errorf("%w (failure %d in a row; the next attempt waits until %s)", ErrBadLogin, u.Failures, u.NotBefore.Format(time.RFC3339))
}

// checkCode finds the time step code belongs to, within the skew, later than the last
// accepted one.
func checkCode(secret string, lastStep uint64, code string, now time.Time) (uint64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	cur := uint64(now.Unix()) / totpPeriod
	for d := -totpSkew; d <= totpSkew; d++ {
		step := uint64(int64(cur) + int64(d))
		want, err := hotp.GenerateCodeCustom(secret, step, hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > lastStep {
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
