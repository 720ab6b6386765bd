package deploy_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/bus"
)

var update = flag.Bool("update", false, "rewrite the generated permission sets in accounts.conf from shared/bus")

const (
	permsBegin = "# BEGIN permission sets, generated from shared/bus/permissions.go\n"
	permsEnd   = "# END permission sets"
)

// TestAccountsConfPermissionsAreTheHubs keeps one source for the services' permissions:
// the *_PERMISSIONS blocks of accounts.conf are bus.Grants rendered, the very sets the
// hub's embedded server applies. -update rewrites them (both copies).
func TestAccountsConfPermissionsAreTheHubs(t *testing.T) {
	want := bus.PermissionsConf()
	for _, path := range []string{"nats/accounts.conf", "k8s/accounts.conf"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		head, rest, ok1 := strings.Cut(string(data), permsBegin)
		_, tail, ok2 := strings.Cut(rest, permsEnd)
		if !ok1 || !ok2 {
			t.Fatalf("%s: no %q … %q section", path, permsBegin, permsEnd)
		}
		got, _, _ := strings.Cut(rest, permsEnd)
		if got == want {
			continue
		}
		if !*update {
			t.Errorf("%s: the permission sets differ from shared/bus (bus.Grants); run: go test ./deploy -run AccountsConf -update", path)
			continue
		}
		text := head + permsBegin + want + permsEnd + tail
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
