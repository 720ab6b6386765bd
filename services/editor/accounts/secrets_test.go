package accounts

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/shared/natstest"
)

const testPassword = "correct horse battery"

// testKeys is a key file of one fresh key in a test directory.
func testKeys(t *testing.T) *Keyring {
	t.Helper()
	path := filepath.Join(t.TempDir(), "editor-totp.key")
	if err := EnsureKeyFile(path); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

func testStore(t *testing.T, js jetstream.JetStream, keys *Keyring, c *testClock) *Store {
	t.Helper()
	s, err := NewStore(context.Background(), js, Topology{SessionMaxAge: time.Hour},
		Policy{FreeFailures: 3, BcryptCost: 4, MinPassword: 12, Issuer: "test"}, keys, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func raw(t *testing.T, kv jetstream.KeyValue, key string) string {
	t.Helper()
	e, err := kv.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return string(e.Value())
}

func login(t *testing.T, s *Store, c *testClock, name, secret string) error {
	t.Helper()
	c.t = c.t.Add(time.Minute) // a new code: each is accepted once
	code, err := Code(secret, c.t)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Authenticate(context.Background(), name, testPassword, code, "192.0.2.1:1")
	return err
}

// A reader of the bus finds no TOTP secret, session id or token in any record, nor a
// key that is one.
func TestTheBusHoldsNothingThatLogsIn(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()
	na, err := s.AddUser(ctx, "anna", Admin, testPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	ses, err := s.CreateSession(ctx, "anna")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := s.CreateToken(ctx, NewToken{Name: "importer", Scope: ScopePublish, Owner: "anna", By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	secret := na.User.TOTPSecret
	rec := raw(t, s.users, "anna")
	if strings.Contains(rec, secret) || strings.Contains(rec, "totp_secret") || !strings.Contains(rec, `"totp_sealed":"v1.`) {
		t.Errorf("account record holds the TOTP secret, or no sealed one: %s", rec)
	}
	for _, tt := range []struct {
		what   string
		kv     jetstream.KeyValue
		secret string
	}{{"session", s.sessions, ses}, {"token", s.tokens, tok}} {
		keys, _ := tt.kv.Keys(ctx)
		for _, k := range keys {
			if k == tt.secret || strings.Contains(raw(t, tt.kv, k), tt.secret) {
				t.Errorf("%s: the bus holds the secret", tt.what)
			}
			if k != hashKey(tt.secret) {
				t.Errorf("%s: key %s is not the hash of the secret", tt.what, k)
			}
		}
	}
	if err := login(t, s, c, "anna", secret); err != nil {
		t.Errorf("login with the sealed secret: %v", err)
	}
}

// An account written by an editor from before sealing is sealed at start, and still
// logs in.
func TestMigrateSealsSecretsLeftInClear(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()
	na, err := s.AddUser(ctx, "anna", Publisher, testPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	old := *na.User
	old.TOTPSealed = "" // as an older editor wrote it
	if err := putJSON(ctx, s.users, "anna", &old, 0); !errors.Is(err, ErrExists) {
		t.Fatalf("create over an account: %v", err)
	}
	e, _ := s.users.Get(ctx, "anna")
	if err := putJSON(ctx, s.users, "anna", &old, e.Revision()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(raw(t, s.users, "anna"), old.TOTPSecret) {
		t.Fatal("the old record is not in clear")
	}
	m, err := s.Migrate(ctx)
	if err != nil || m.Sealed != 1 {
		t.Fatalf("Migrate = %+v, %v; want one sealed", m, err)
	}
	if strings.Contains(raw(t, s.users, "anna"), old.TOTPSecret) {
		t.Error("still in clear after Migrate")
	}
	if m, _ := s.Migrate(ctx); m.Sealed != 0 {
		t.Errorf("second Migrate sealed %d again", m.Sealed)
	}
	if err := login(t, s, c, "anna", old.TOTPSecret); err != nil {
		t.Errorf("login after migration: %v", err)
	}
}

// Rotation: a new key first in the file, every account sealed again, the old key
// dropped; logins work throughout, also on an editor that loaded the old file.
func TestLoginWorksAfterRotation(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	js := natstest.Start(t).Connect("editor").JS
	keys := testKeys(t)
	running := testStore(t, js, keys, c)
	ctx := context.Background()
	na, err := running.AddUser(ctx, "anna", Publisher, testPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	oldID := keys.Current()

	rotating, _ := LoadKeyring(keys.Path()) // "editor keys rotate", another process
	cli := testStore(t, js, rotating, c)
	old, _ := ReadKeyFile(keys.Path())
	fresh := NewKey()
	if err := WriteKeyFile(keys.Path(), [][]byte{fresh, old[0]}); err != nil {
		t.Fatal(err)
	}
	if n, err := cli.Rekey(ctx); err != nil || n != 1 {
		t.Fatalf("Rekey = %d, %v; want 1", n, err)
	}
	if err := WriteKeyFile(keys.Path(), [][]byte{fresh}); err != nil {
		t.Fatal(err)
	}
	if n, err := cli.Rekey(ctx); err != nil || n != 0 {
		t.Fatalf("second Rekey = %d, %v; want 0", n, err)
	}
	rec := raw(t, running.users, "anna")
	if !strings.Contains(rec, "v1."+KeyID(fresh)+".") || strings.Contains(rec, oldID) {
		t.Errorf("not sealed with the new key %s: %s", KeyID(fresh), rec)
	}
	if err := login(t, running, c, "anna", na.User.TOTPSecret); err != nil {
		t.Errorf("login on the running editor after rotation: %v", err)
	}
	if err := login(t, testStore(t, js, rotating, c), c, "anna", na.User.TOTPSecret); err != nil {
		t.Errorf("login on a restarted editor after rotation: %v", err)
	}
}

// An editor started with a key file that is not the accounts' stops at once, saying so.
func TestAWrongKeyFailsClearly(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	js := natstest.Start(t).Connect("editor").JS
	ctx := context.Background()
	na, err := testStore(t, js, testKeys(t), c).AddUser(ctx, "anna", Publisher, testPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	wrong := testStore(t, js, testKeys(t), c)
	_, err = wrong.Migrate(ctx)
	if !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), "EDITOR_SECRET_KEY_FILE") || !strings.Contains(err.Error(), "anna") {
		t.Errorf("Migrate with the wrong key: %v; want ErrWrongKey naming the account and the setting", err)
	}
	err = login(t, wrong, c, "anna", na.User.TOTPSecret)
	if !errors.Is(err, ErrWrongKey) || errors.Is(err, ErrBadLogin) {
		t.Errorf("login with the wrong key: %v; want ErrWrongKey, not a bad login", err)
	}
	if _, err := testStore(t, js, nil, c).AddUser(ctx, "bea", Writer, testPassword, "test"); !errors.Is(err, errNoKeys) {
		t.Errorf("AddUser without keys: %v; want errNoKeys", err)
	}
}

func TestReadKeyFile(t *testing.T) {
	key := NewKey()
	b64 := base64.StdEncoding.EncodeToString(key)
	tests := []struct {
		name, content, wantErr string
		want                   int
	}{
		{"raw", string(key), "", 1},
		{"base64", b64 + "\n", "", 1},
		{"raw_url_base64", base64.RawURLEncoding.EncodeToString(key), "", 1},
		{"comments_and_two_keys", "# keys\n\n" + b64 + "\n" + base64.StdEncoding.EncodeToString(NewKey()) + "\n", "", 2},
		{"short_key", base64.StdEncoding.EncodeToString(key[:16]), "a key of 16 bytes (want 32)", 0},
		{"not_base64", "not a key!", "not base64", 0},
		{"empty", "# nothing\n", "no key in it", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			keys, err := ReadKeyFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(keys) != tt.want || string(keys[0]) != string(key) {
				t.Errorf("%d keys, %v; want %d, the first ours", len(keys), err, tt.want)
			}
		})
	}
}

func TestWriteKeyFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials", "editor-totp.key")
	if err := EnsureKeyFile(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	before, _ := os.ReadFile(path)
	if err := EnsureKeyFile(path); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("EnsureKeyFile replaced an existing key")
	}
}
