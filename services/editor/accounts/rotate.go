package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Rotation is what a key rotation did: the key file, the keys it replaced, the key that
// seals the accounts now, and how many accounts it sealed again.
type Rotation struct {
	File   string   `json:"file"`
	Old    []string `json:"old_keys"`
	New    string   `json:"new_key"`
	Sealed int      `json:"sealed"`
}

// Detail is the rotation in words, for the audit log.
func (r Rotation) Detail() string {
	if r.File == "" {
		return ""
	}
	return fmt.Sprintf("%d accounts sealed with the new key %s (replaces %s)", r.Sealed, r.New, strings.Join(r.Old, ", "))
}

// RotateKey puts a new key first in the store's key file, seals every account with it
// while the old keys still open what they sealed, then drops the old keys. Whatever
// fails, the file keeps every key a record may need. It runs in the editor, which holds
// the key file, so no other process needs the file or the editor's bus key; other
// editors sharing the file read it again when they meet the new key's id.
func (s *Store) RotateKey(ctx context.Context) (Rotation, error) {
	if s.keys == nil {
		return Rotation{}, errNoKeys
	}
	path := s.keys.Path()
	rot := Rotation{File: path}
	old, err := ReadKeyFile(path)
	if err != nil {
		return rot, err
	}
	for _, k := range old {
		rot.Old = append(rot.Old, KeyID(k))
	}
	both := append([][]byte{NewKey()}, old...)
	rot.New = KeyID(both[0])
	again := fmt.Sprintf("the old keys stay in %s; rotate again", path)
	if err := WriteKeyFile(path, both); err != nil {
		return rot, err
	}
	n, err := s.Rekey(ctx)
	rot.Sealed = n
	if err != nil {
		return rot, fmt.Errorf("%w (%s)", err, again)
	}
	// Again: an account another editor added as the file changed may carry the old key.
	m, err := s.Rekey(ctx)
	rot.Sealed += m
	if err != nil {
		return rot, fmt.Errorf("%w (%s)", err, again)
	}
	if err := WriteKeyFile(path, both[:1]); err != nil {
		return rot, err
	}
	if _, err := s.Rekey(ctx); errors.Is(err, ErrWrongKey) {
		// Sealed with an old key after all: put the old keys back rather than lose it.
		if werr := WriteKeyFile(path, both); werr != nil {
			return rot, errors.Join(err, werr)
		}
		return rot, fmt.Errorf("an account was sealed with an old key meanwhile; the old keys are back in %s: rotate again", path)
	}
	return rot, nil
}
