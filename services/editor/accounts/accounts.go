// Package accounts keeps the staff's accounts, their server-side sessions and the API
// tokens of automation, all in JetStream key-value buckets: there is no other database.
//
// Every account has a password (bcrypt) and a TOTP second factor; Authenticate checks
// both, accepts each TOTP code once, answers every failure alike and makes repeated
// failures of an account or from an address wait longer and longer, never for good.
// Sessions and tokens are stored under the SHA-256 of their secret, and TOTP secrets
// sealed with a key that is not on the bus (Keyring), so a copy of the buckets opens
// nothing and signs nobody in.
package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/bus"
)

// Bucket names. Changing one is a migration. The set-up (bus.Setup, the admin's)
// creates them; the store only binds to them.
const (
	BucketAccounts = bus.BucketAccounts
	BucketSessions = bus.BucketSessions
	BucketTokens   = bus.BucketTokens
)

// Role says what a staff member may do. Each role may do everything the ones before it
// may: writer < publisher < admin.
type Role string

const (
	// Writer writes and saves drafts.
	Writer Role = "writer"
	// Publisher publishes, edits, retracts, schedules and retries.
	Publisher Role = "publisher"
	// Admin also manages accounts and API tokens.
	Admin Role = "admin"
)

// Roles lists the roles from least to most powerful.
var Roles = []Role{Writer, Publisher, Admin}

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i + 1
		}
	}
	return 0
}

// Allows reports whether a member with role r may do what needs role need.
func (r Role) Allows(need Role) bool { return r.rank() >= need.rank() && need.rank() > 0 }

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if r.rank() == 0 {
		return "", &RuleError{Key: "rule.role", Args: []any{s}, Text: fmt.Sprintf("unknown role %q (want writer, publisher or admin)", s)}
	}
	return r, nil
}

// User is one staff account.
type User struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// PasswordHash is bcrypt.
	PasswordHash []byte `json:"password_hash"`
	// TOTPSealed is the second factor's base32 secret, sealed with the editor's key
	// (Keyring): the bus never holds it in clear.
	TOTPSealed string `json:"totp_sealed,omitempty"`
	// TOTPSecret is the secret in clear: in memory only, right after AddUser, and in
	// records older than sealing, which the editor seals at start or at their next write.
	TOTPSecret string `json:"totp_secret,omitempty"`
	// LastStep is the TOTP time step of the last accepted code; a code of that step or
	// an earlier one is refused, so each code works once.
	LastStep uint64 `json:"last_step,omitempty"`
	// Failures counts failed logins in a row, since the last success, an
	// administrator's unlock, or an hour's quiet after the last wait.
	Failures int `json:"failures,omitempty"`
	// NotBefore: an attempt before it is refused unchecked (the wait after Failures).
	// It replaces a hard lock, which let anyone keep a member out with a few requests;
	// an old record's locked_until is ignored.
	NotBefore time.Time `json:"not_before,omitzero"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by,omitempty"`
	// Lang is the language the member chose for the editor ("ca", "es", "en"); empty
	// until she chooses, when her browser's language is used.
	Lang string `json:"lang,omitempty"`
	// TOTPReset: an administrator reset the second factor (a lost phone). The next
	// login takes the password alone and must set up a new secret (BeginTOTP,
	// ConfirmTOTP) before it is a login.
	TOTPReset bool `json:"totp_reset,omitempty"`
	// MustChangePassword: an administrator asked for a new password; the next login
	// must set one (ChangePassword) before it is a login.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

// Errors of the store.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

// Topology was how the store created its buckets. It is no longer used: the buckets
// are the set-up's (bus.Layout: replicas from its NATS_REPLICAS, sessions stored at most
// bus.SessionsTTL; the editor ends them by its own settings).
type Topology struct {
	Replicas      int
	SessionMaxAge time.Duration
}

// bindBuckets binds to the three buckets, which the set-up must have created.
func bindBuckets(ctx context.Context, js jetstream.JetStream) (acc, ses, tok jetstream.KeyValue, err error) {
	bind := func(name string) (jetstream.KeyValue, error) {
		kv, err := bus.BindKeyValue(ctx, js, name)
		if err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		return kv, nil
	}
	if acc, err = bind(BucketAccounts); err != nil {
		return
	}
	if ses, err = bind(BucketSessions); err != nil {
		return
	}
	tok, err = bind(BucketTokens)
	return
}

func getJSON[T any](ctx context.Context, kv jetstream.KeyValue, key string) (*T, uint64, error) {
	e, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	var v T
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		return nil, 0, fmt.Errorf("decode %s: %w", key, err)
	}
	return &v, e.Revision(), nil
}

// putJSON creates (last 0) or updates at revision last.
func putJSON(ctx context.Context, kv jetstream.KeyValue, key string, v any, last uint64) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if last == 0 {
		_, err = kv.Create(ctx, key, data)
	} else {
		_, err = kv.Update(ctx, key, data, last)
	}
	if errors.Is(err, jetstream.ErrKeyExists) {
		return ErrExists
	}
	return err
}

func isConflict(err error) bool {
	return errors.Is(err, ErrExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch)
}

// allJSON returns every value in kv, sorted by key.
func allJSON[T any](ctx context.Context, kv jetstream.KeyValue) ([]keyed[T], error) {
	lister, err := kv.ListKeys(ctx)
	if err != nil {
		return nil, err
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []keyed[T]
	for _, k := range keys {
		v, _, err := getJSON[T](ctx, kv, k)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, keyed[T]{k, v})
	}
	return out, nil
}

type keyed[T any] struct {
	key string
	val *T
}
