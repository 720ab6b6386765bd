package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/bcrypt"
)

// firstRunKey holds the one first-run link of the ACCOUNTS bucket: reservedPrefix keeps
// it apart from every account's key.
const firstRunKey = reservedPrefix + "first-run"

// FirstRunTTL is how long a first-run link works.
const FirstRunTTL = 24 * time.Hour

// firstRunFresh: a live link younger than this is another replica's, starting at the
// same moment, and is kept; an older one is a previous start's, whose log line may be
// lost, and is replaced.
const firstRunFresh = time.Minute

// ErrFirstRunGone is every first-run link that opens nothing: used, expired, replaced,
// mistyped, or an account exists already. One answer, so a guesser learns nothing.
var ErrFirstRunGone = errors.New("this first-run link has been used, has expired or was never made")

// ErrFirstRunNotChosen: a first-run code was sent before a name and password were
// chosen with the link (a second tab, a bookmarked step): the member chooses them first.
var ErrFirstRunNotChosen = errors.New("first run: choose a name and password first")

// ErrHasAccounts: the editor has an account, so there is no first run.
var ErrHasAccounts = errors.New("the editor has accounts already")

// FirstRunPendingError: another replica made the link a moment ago; its log has it.
type FirstRunPendingError struct{ Until time.Time }

func (e *FirstRunPendingError) Error() string {
	return "another editor replica made the first-run link a moment ago (its log has it); it works until " + e.Until.UTC().Format(time.RFC3339)
}

// firstRun is the stored link: only its hash, and once the name and password are
// chosen, the account to be (the password's hash and the sealed second factor).
type firstRun struct {
	Hash    string    `json:"hash"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Name    string    `json:"name,omitempty"`
	// PasswordHash is bcrypt; Sealed the TOTP secret sealed as an account's.
	PasswordHash []byte `json:"password_hash,omitempty"`
	Sealed       string `json:"totp_sealed,omitempty"`
}

// BeginFirstRun makes the one-time link that creates the first administrator, while
// no account exists, and returns its token (stored only as a hash) and expiry.
func (s *Store) BeginFirstRun(ctx context.Context) (string, time.Time, error) {
	if n, err := s.countUsers(ctx); err != nil || n > 0 {
		if err == nil {
			_ = s.users.Delete(ctx, firstRunKey) // a link the command line's administrator left unused
		}
		return "", time.Time{}, cmpErr(err, ErrHasAccounts)
	}
	now := s.now().UTC()
	token, hash := newSecret("")
	rec := firstRun{Hash: hash, Created: now, Expires: now.Add(FirstRunTTL)}
	old, rev, err := getJSON[firstRun](ctx, s.users, firstRunKey)
	switch {
	case errors.Is(err, ErrNotFound):
		rev = 0
	case err != nil:
		return "", time.Time{}, fmt.Errorf("first run: %w", err)
	case now.Before(old.Expires) && now.Sub(old.Created) < firstRunFresh:
		return "", time.Time{}, &FirstRunPendingError{Until: old.Expires}
	}
	if err := putJSON(ctx, s.users, firstRunKey, &rec, rev); err != nil {
		if isConflict(err) {
			return "", time.Time{}, &FirstRunPendingError{Until: rec.Expires}
		}
		return "", time.Time{}, fmt.Errorf("first run: %w", err)
	}
	return token, rec.Expires, nil
}

// CheckFirstRun says whether token opens the first run now.
func (s *Store) CheckFirstRun(ctx context.Context, token string) error {
	_, _, err := s.firstRun(ctx, token)
	return err
}

// FirstRunSecret is the second factor chosen for the first administrator: the
// base32 secret and the otpauth URI of its QR code.
type FirstRunSecret struct{ Name, Secret, URI string }

// ChooseFirstAdmin keeps the name and password of the first administrator with the
// link, and gives her a new second factor to put in her app; the account exists only
// once ConfirmFirstAdmin sees a code of it. Each call replaces the last choice.
func (s *Store) ChooseFirstAdmin(ctx context.Context, token, name, password string) (*FirstRunSecret, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	name = NormalizeName(name)
	if err := s.checkPassword(password); err != nil {
		return nil, err
	}
	if s.keys == nil {
		return nil, errNoKeys
	}
	rec, rev, err := s.firstRun(ctx, token)
	if err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.policy.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("first run: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.policy.Issuer, AccountName: name, Period: totpPeriod, Rand: rand.Reader})
	if err != nil {
		return nil, fmt.Errorf("first run: totp: %w", err)
	}
	sealed, err := s.keys.seal(name, key.Secret())
	if err != nil {
		return nil, fmt.Errorf("first run: %w", err)
	}
	rec.Name, rec.PasswordHash, rec.Sealed = name, hash, sealed
	if err := putJSON(ctx, s.users, firstRunKey, rec, rev); err != nil {
		if isConflict(err) {
			return nil, ErrFirstRunGone
		}
		return nil, fmt.Errorf("first run: %w", err)
	}
	return &FirstRunSecret{Name: name, Secret: key.Secret(), URI: key.URL()}, nil
}

// FirstRunChoice is the second factor chosen with the link so far, to show again after
// a wrong code; nil when none is chosen yet.
func (s *Store) FirstRunChoice(ctx context.Context, token string) (*FirstRunSecret, error) {
	rec, _, err := s.firstRun(ctx, token)
	if err != nil || rec.Sealed == "" {
		return nil, err
	}
	if s.keys == nil {
		return nil, errNoKeys
	}
	secret, err := s.keys.open(rec.Name, rec.Sealed)
	if err != nil {
		return nil, fmt.Errorf("first run: %w", err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("first run: the kept secret: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.policy.Issuer, AccountName: rec.Name, Period: totpPeriod, Secret: raw})
	if err != nil {
		return nil, fmt.Errorf("first run: totp: %w", err)
	}
	return &FirstRunSecret{Name: rec.Name, Secret: secret, URI: key.URL()}, nil
}

// ConfirmFirstAdmin creates the first administrator once code matches the chosen
// second factor, and uses the link up: it works once, even when sent twice at once.
// The link goes last — after the first-administrator claim and the account — so a
// failure before then keeps it working, and the real error is returned.
func (s *Store) ConfirmFirstAdmin(ctx context.Context, token, code string) (*User, error) {
	rec, rev, err := s.firstRun(ctx, token)
	if err != nil {
		return nil, err
	}
	if rec.Sealed == "" {
		return nil, ErrFirstRunNotChosen
	}
	if s.keys == nil {
		return nil, errNoKeys
	}
	secret, err := s.keys.open(rec.Name, rec.Sealed)
	if err != nil {
		return nil, fmt.Errorf("first run: %w", err)
	}
	step, ok := checkCode(secret, 0, code, s.now())
	if !ok {
		return nil, ErrBadCode
	}
	release, err := s.claimFirstAdmin(ctx, rec.Name)
	if errors.Is(err, ErrHasAccounts) {
		return nil, ErrFirstRunGone // another door (or request) is making the first administrator
	}
	if err != nil {
		return nil, fmt.Errorf("first run: claim the first administrator: %w", err)
	}
	u := &User{Name: rec.Name, Role: Admin, PasswordHash: rec.PasswordHash, TOTPSealed: rec.Sealed, LastStep: step,
		Created: s.now().UTC(), CreatedBy: rec.Name}
	if err := putJSON(ctx, s.users, userKey(u.Name), u, 0); err != nil {
		release()
		return nil, fmt.Errorf("first run: add %s: %w", u.Name, err)
	}
	if err := s.users.Delete(ctx, firstRunKey, jetstream.LastRevision(rev)); err != nil {
		// The link changed since it was read (a new choice in another tab) or cannot be
		// removed: the account made from the old choice is taken back, the claim given
		// up, and the link left as it is.
		s.undoFirstAdmin(u.Name)
		release()
		if isConflict(err) {
			return nil, ErrFirstRunGone
		}
		return nil, fmt.Errorf("first run: use the link up: %w", err)
	}
	return u, nil
}

// undoFirstAdmin removes the account ConfirmFirstAdmin had just made, with a fresh
// context: the caller's may be what failed.
func (s *Store) undoFirstAdmin(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.users.Delete(ctx, userKey(name))
}

// firstRun reads the record token opens, or ErrFirstRunGone.
func (s *Store) firstRun(ctx context.Context, token string) (*firstRun, uint64, error) {
	rec, rev, err := getJSON[firstRun](ctx, s.users, firstRunKey)
	if errors.Is(err, ErrNotFound) {
		return nil, 0, ErrFirstRunGone
	}
	if err != nil {
		return nil, 0, fmt.Errorf("first run: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(hashKey(token))) != 1 || !s.now().Before(rec.Expires) {
		return nil, 0, ErrFirstRunGone
	}
	if n, err := s.countUsers(ctx); err != nil || n > 0 {
		return nil, 0, cmpErr(err, ErrFirstRunGone)
	}
	return rec, rev, nil
}

func (s *Store) countUsers(ctx context.Context) (int, error) {
	users, err := s.Users(ctx)
	if err != nil {
		return 0, err
	}
	return len(users), nil
}

// cmpErr is err when there is one, else fallback.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
