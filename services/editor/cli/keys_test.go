package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// token create says what is missing or wrong, before the editor or in its words.
func TestTokenCreateFlags(t *testing.T) {
	w := newWorld(t)
	w.member("anna", accounts.Admin)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no_owner", []string{"token", "create", "x"}, "say whose it is, e.g. --owner anna"},
		{"role_renamed", []string{"token", "create", "x", "--owner", "anna", "--role", "publisher"}, "--role is now --scope publish|admin"},
		{"bad_scope", []string{"token", "create", "x", "--owner", "anna", "--scope", "writer"}, `unknown scope "writer"`},
		{"bad_expiry", []string{"token", "create", "x", "--owner", "anna", "--expires", "soon"}, `--expires "soon": not a lifetime`},
		{"too_long", []string{"token", "create", "x", "--owner", "anna", "--expires", "400d"}, "out of range (want from 1h to 366d)"},
		{"unknown_owner", []string{"token", "create", "x", "--owner", "nobody"}, `owner "nobody": no such account`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := w.editor("", tt.args...); r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", r.err, tt.want)
			}
		})
	}
	r := w.editor("", "token", "create", "robot", "--owner", "anna", "--scope", "admin", "--expires", "30d")
	if r.err != nil {
		t.Fatalf("token create: %v %s", r.err, r.errOut)
	}
	w.vars["EDITOR_TOKEN"] = strings.TrimSpace(r.out)
	if r := w.editor("", "schedule", "list"); r.err != nil {
		t.Fatalf("use the token: %v %s", r.err, r.errOut)
	}
	expires := time.Now().Add(30 * 24 * time.Hour).Local().Format(time.DateOnly)
	list := w.editor("", "token", "list").out
	var row string
	for line := range strings.Lines(list) {
		if strings.HasPrefix(line, "robot ") {
			row = line
		}
	}
	if !strings.Contains(row, " anna ") || !strings.Contains(row, " admin ") || !strings.Contains(row, expires) ||
		strings.Count(row, time.Now().Local().Format(time.DateOnly)) != 2 { // created and last used today
		t.Errorf("token list: want owner, scope, expiry and last use:\n%s", list)
	}
	// Another administrator removes anna (she may not remove herself, nor may her token).
	if r := w.editor("", "user", "remove", "anna"); r.err == nil || !strings.Contains(r.err.Error(), "your own account") {
		t.Errorf("anna's token removes anna: %v", r.err)
	}
	delete(w.vars, "EDITOR_TOKEN")
	w.member("bob", accounts.Admin)
	if r := w.editor("", "user", "remove", "anna"); r.err != nil {
		t.Fatal(r.err)
	}
	if list := w.editor("", "token", "list").out; strings.Contains(list, "robot") {
		t.Errorf("the token outlived its owner:\n%s", list)
	}
}

// keys rotate seals every account with a new key; the member logs in after it, on the
// editor that was running all along.
func TestKeysRotate(t *testing.T) {
	w := newWorld(t)
	w.member("ada", accounts.Admin)
	uri := w.account("anna", accounts.Publisher)
	secret := uri[strings.Index(uri, "secret=")+len("secret="):]
	secret = secret[:strings.IndexAny(secret+"&", "&\n")]
	path := w.vars["EDITOR_SECRET_KEY_FILE"]
	before, _ := accounts.ReadKeyFile(path)
	r := w.editor("", "keys", "rotate")
	if r.err != nil || !strings.Contains(r.out, "2 accounts sealed with the new key") {
		t.Fatalf("keys rotate: %v %q %s", r.err, r.out, r.errOut)
	}
	after, err := accounts.ReadKeyFile(path)
	if err != nil || len(after) != 1 || string(after[0]) == string(before[0]) {
		t.Fatalf("key file after rotation: %d keys, %v; want one new key", len(after), err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	code, _ := accounts.Code(secret, time.Now())
	if r := w.editor(password+"\n"+code+"\n", "login", "anna"); r.err != nil {
		t.Errorf("login after rotation: %v %s", r.err, r.errOut)
	}
	if got := w.audited(); len(got) < 2 || got[1] != "key_rotate:"+path+":ada:cli" { // newest first: the login, then the rotation
		t.Errorf("audit: %v", got[:2])
	}
}

func TestKeysInit(t *testing.T) {
	w := newWorld(t)
	w.vars["EDITOR_SECRET_KEY_FILE"] = filepath.Join(t.TempDir(), "keys", "editor-totp.key")
	if r := w.editor("", "keys", "init"); r.err != nil || !strings.Contains(r.out, "created (mode 0600)") {
		t.Fatalf("keys init: %v %q", r.err, r.out)
	}
	if r := w.editor("", "keys", "init"); r.err == nil || !strings.Contains(r.err.Error(), "exists") {
		t.Errorf("second keys init: %v", r.err)
	}
	w.vars["EDITOR_SECRET_KEY_FILE"] = ""
	if r := w.editor("", "keys", "init"); r.err == nil || !strings.Contains(r.err.Error(), "set EDITOR_SECRET_KEY_FILE") {
		t.Errorf("keys init without a path: %v", r.err)
	}
}
