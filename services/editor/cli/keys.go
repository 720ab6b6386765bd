package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/paeria/pregoner/services/editor/accounts"
)

func keysCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 || (args[0] != "init" && args[0] != "rotate") {
		fs.Usage()
		return ErrUsage
	}
	if args[0] == "init" {
		return keysInit(c)
	}
	// The editor holds the key file and rotates it itself: the command line needs an
	// administrator's token, not the file nor the editor's bus key.
	var rot accounts.Rotation
	if err := c.apiJSON(ctx, http.MethodPost, "/api/keys/rotate", nil, &rot); err != nil {
		return fmt.Errorf("keys rotate: %w", err)
	}
	fmt.Fprintf(c.env.Stdout, "%s: key %s replaces %s; %d accounts sealed with the new key. Other editors sharing the file read the new key by themselves.\n",
		rot.File, rot.New, strings.Join(rot.Old, ", "), rot.Sealed)
	return nil
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
