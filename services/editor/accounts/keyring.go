package accounts

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// KeySize is the length of a TOTP sealing key: AES-256.
const KeySize = 32

// sealPrefix starts every sealed TOTP secret: the format's version, then the key id.
const sealPrefix = "v1."

// Keyring holds the keys that seal the TOTP secrets in the ACCOUNTS bucket. They live
// in a file of the editor's (EDITOR_SECRET_KEY_FILE), never on the bus, so a reader of
// the bus learns no second factor. The file's first key seals; every key in it opens,
// so a rotation can re-seal the accounts one by one while both keys are in the file.
type Keyring struct {
	path string
	mu   sync.Mutex
	keys []ringKey // keys[0] seals
}

type ringKey struct {
	id   string
	aead cipher.AEAD
}

// LoadKeyring reads the key file at path.
func LoadKeyring(path string) (*Keyring, error) {
	k := &Keyring{path: path}
	if err := k.reload(); err != nil {
		return nil, err
	}
	return k, nil
}

// Path is the key file the keyring reads.
func (k *Keyring) Path() string { return k.path }

// Current is the id of the key that seals.
func (k *Keyring) Current() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys[0].id
}

// reload reads the file again: another process ("editor keys rotate") may have put a
// new key first.
func (k *Keyring) reload() error {
	raw, err := ReadKeyFile(k.path)
	if err != nil {
		return err
	}
	keys := make([]ringKey, len(raw))
	for i, b := range raw {
		block, err := aes.NewCipher(b)
		if err != nil {
			return fmt.Errorf("secret key file %s: %w", k.path, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return fmt.Errorf("secret key file %s: %w", k.path, err)
		}
		keys[i] = ringKey{id: KeyID(b), aead: aead}
	}
	k.mu.Lock()
	k.keys = keys
	k.mu.Unlock()
	return nil
}

// seal encrypts secret for the account called name: the name is bound in (as
// additional data), so a sealed secret copied onto another account does not open.
func (k *Keyring) seal(name, secret string) (string, error) {
	if err := k.reload(); err != nil { // a rotation may have begun: seal with its key
		return "", err
	}
	k.mu.Lock()
	cur := k.keys[0]
	k.mu.Unlock()
	nonce := make([]byte, cur.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	ct := cur.aead.Seal(nonce, nonce, []byte(secret), aad(name))
	return sealPrefix + cur.id + "." + base64.RawURLEncoding.EncodeToString(ct), nil
}

// open decrypts what seal made. A key id it does not hold makes it read the file again
// before it gives up, since a rotation may have added that key meanwhile.
func (k *Keyring) open(name, sealed string) (string, error) {
	id, data, ok := strings.Cut(strings.TrimPrefix(sealed, sealPrefix), ".")
	if !strings.HasPrefix(sealed, sealPrefix) || !ok {
		return "", fmt.Errorf("TOTP secret of %s: not in a format this editor reads", name)
	}
	key, found := k.find(id)
	if !found {
		if err := k.reload(); err != nil {
			return "", err
		}
		if key, found = k.find(id); !found {
			return "", fmt.Errorf("%w: the TOTP secret of %s is sealed with key %s, which is not in %s (is EDITOR_SECRET_KEY_FILE the file the accounts were sealed with?)",
				ErrWrongKey, name, id, k.path)
		}
	}
	ct, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil || len(ct) < key.aead.NonceSize() {
		return "", fmt.Errorf("TOTP secret of %s: damaged record", name)
	}
	n := key.aead.NonceSize()
	plain, err := key.aead.Open(nil, ct[:n], ct[n:], aad(name))
	if err != nil {
		return "", fmt.Errorf("%w: the TOTP secret of %s does not open with key %s (the record was altered, or the key file is not the right one)", ErrWrongKey, name, id)
	}
	return string(plain), nil
}

func (k *Keyring) find(id string) (ringKey, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, key := range k.keys {
		if key.id == id {
			return key, true
		}
	}
	return ringKey{}, false
}

// sealedWith is the key id of a sealed secret.
func sealedWith(sealed string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(sealed, sealPrefix), ".")
	return id
}

// ErrWrongKey is a sealed TOTP secret the key file cannot open.
var ErrWrongKey = errors.New("wrong secret key")

func aad(name string) []byte { return []byte("pregoner-totp:" + name) }

// KeyID names a key in sealed records and messages without revealing it.
func KeyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("pregoner-totp-key-id:"), key...))
	return hex.EncodeToString(sum[:6])
}

// NewKey is a fresh random key.
func NewKey() []byte {
	b := make([]byte, KeySize)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
}

// ReadKeyFile reads a key file: either exactly 32 raw bytes, or text with one key a
// line in base64 (standard or URL alphabet, padded or not), the sealing key first;
// empty lines and lines starting with # are skipped.
func ReadKeyFile(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	if len(data) == KeySize {
		return [][]byte{data}, nil // raw: head -c 32 /dev/urandom
	}
	var keys [][]byte
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		b, err := decodeKey(line)
		if err != nil {
			return nil, fmt.Errorf("secret key file %s:%d: %w", path, i+1, err)
		}
		keys = append(keys, b)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("secret key file %s: no key in it (want 32 random bytes, raw or in base64; create one with: editor keys init)", path)
	}
	return keys, nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("a key of %d bytes (want %d)", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, errors.New("not base64 (want 32 random bytes in base64, one key a line)")
}

// WriteKeyFile replaces the key file with keys, the sealing key first, mode 0600. It
// writes a temporary file and renames it, so a reader never sees half a file.
func WriteKeyFile(path string, keys [][]byte) error {
	var b bytes.Buffer
	b.WriteString("# pregoner editor: keys that seal the TOTP secrets. The first seals, all open.\n# Rotate with: editor keys rotate. Never put this file on the bus.\n")
	for _, k := range keys {
		b.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("secret key file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".editor-key-*")
	if err != nil {
		return fmt.Errorf("secret key file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("secret key file: %w", err)
	}
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("secret key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("secret key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secret key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("secret key file: %w", err)
	}
	return nil
}

// EnsureKeyFile creates the key file at path with one fresh key, unless it exists:
// what the hub does under its data directory, so it needs no setup.
func EnsureKeyFile(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("secret key file: %w", err)
	}
	return WriteKeyFile(path, [][]byte{NewKey()})
}
