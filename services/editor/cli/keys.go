package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/staff"
)

// localHubSecretKey is the key file a hub started with the default -data writes, so
// that "go run ./services/editor user add" next to "go run ./services/hub" just works,
// as with the hub's bus key.
const localHubSecretKey = "data/credentials/editor-totp.key"

// keyAction is the audit log's action for a rotation.
const keyAction = "key_rotate"

// secretGetenv is the command's getenv, except that without EDITOR_SECRET_KEY_FILE it
// offers the local hub's key file when there is one.
func (c *client) secretGetenv(k string) string {
	v := c.env.Getenv(k)
	if k == "EDITOR_SECRET_KEY_FILE" && strings.TrimSpace(v) == "" {
		if _, err := os.Stat(localHubSecretKey); err == nil {
			return localHubSecretKey
		}
	}
	return v
}

func keysCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 || (args[0] != "init" && args[0] != "rotate") {
		fs.Usage()
		return ErrUsage
	}
	if args[0] == "init" {
		return keysInit(c)
	}
	cfg, err := staff.LoadConfig(c.secretGetenv)
	if err != nil {
		return err
	}
	acc, al, err := c.accounts(ctx)
	if err != nil {
		return err
	}
	old, n, err := rotate(ctx, acc, cfg.SecretKeyFile)
	detail := fmt.Sprintf("%d accounts sealed with the new key", n)
	c.auditDetail(ctx, al, keyAction, cfg.SecretKeyFile, detail, err)
	if err != nil {
		return fmt.Errorf("keys rotate: %w", err)
	}
	fmt.Fprintf(c.env.Stdout, "%s: key %s replaces %s; %s. Running editors read the new key by themselves.\n",
		cfg.SecretKeyFile, keyIDOf(cfg.SecretKeyFile), strings.Join(old, ", "), detail)
	return nil
}

// rotate puts a new key first in the file, seals every account with it while the old
// keys still open what they sealed, then drops the old keys. It returns the old keys'
// ids and how many accounts it sealed again. Whatever fails, the file keeps every key
// a record may need.
func rotate(ctx context.Context, acc *accounts.Store, path string) ([]string, int, error) {
	old, err := accounts.ReadKeyFile(path)
	if err != nil {
		return nil, 0, err
	}
	var ids []string
	for _, k := range old {
		ids = append(ids, accounts.KeyID(k))
	}
	both := append([][]byte{accounts.NewKey()}, old...)
	if err := accounts.WriteKeyFile(path, both); err != nil {
		return ids, 0, err
	}
	n, err := acc.Rekey(ctx)
	if err != nil {
		return ids, n, fmt.Errorf("%w (the old keys stay in %s; run editor keys rotate again)", err, path)
	}
	// Again: an account an editor added as the file changed may carry the old key.
	m, err := acc.Rekey(ctx)
	if err != nil {
		return ids, n + m, fmt.Errorf("%w (the old keys stay in %s; run editor keys rotate again)", err, path)
	}
	if err := accounts.WriteKeyFile(path, both[:1]); err != nil {
		return ids, n + m, err
	}
	if _, err := acc.Rekey(ctx); errors.Is(err, accounts.ErrWrongKey) {
		// Sealed with an old key after all: put the old keys back rather than lose it.
		if werr := accounts.WriteKeyFile(path, both); werr != nil {
			return ids, n + m, errors.Join(err, werr)
		}
		return ids, n + m, fmt.Errorf("an account was sealed with an old key meanwhile; the old keys are back in %s: run editor keys rotate again", path)
	}
	return ids, n + m, nil
}

func keyIDOf(path string) string {
	keys, err := accounts.ReadKeyFile(path)
	if err != nil {
		return "?"
	}
	return accounts.KeyID(keys[0])
}

// keysInit creates the key file EDITOR_SECRET_KEY_FILE names, for an editor run
// outside the hub.
func keysInit(c *client) error {
	path := strings.TrimSpace(c.env.Getenv("EDITOR_SECRET_KEY_FILE"))
	if path == "" {
		return errors.New("keys init: set EDITOR_SECRET_KEY_FILE to where the key file goes (a private directory of the editor's machine, never the bus)")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("keys init: %s exists; to replace its key run: editor keys rotate", path)
	}
	if err := accounts.EnsureKeyFile(path); err != nil {
		return fmt.Errorf("keys init: %w", err)
	}
	fmt.Fprintf(c.env.Stdout, "%s created (mode 0600), key %s. Keep a copy apart from the bus's backups: without it no TOTP code can be checked.\n", path, keyIDOf(path))
	return nil
}
