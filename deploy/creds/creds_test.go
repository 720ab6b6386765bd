package creds_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nkeys"

	"github.com/paeria/pregoner/deploy/creds"
)

func TestGenerateWritesPrivateSeedsAndPublicConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secrets")
	pub, err := creds.Generate(creds.Options{Dir: dir, RouteHosts: creds.DefaultRouteHosts})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode = %v, %v; want 0700", st.Mode().Perm(), err)
	}
	conf, err := os.ReadFile(filepath.Join(dir, creds.AuthFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range creds.Users {
		path := creds.SeedFile(dir, u)
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v, %v; want 0600", path, st.Mode().Perm(), err)
		}
		seed, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		kp, err := nkeys.FromSeed([]byte(strings.TrimSpace(string(seed))))
		if err != nil {
			t.Fatalf("%s is not an nkey seed: %v", u, err)
		}
		key, _ := kp.PublicKey()
		if key != pub.Keys[u] || !strings.Contains(string(conf), key) {
			t.Errorf("%s: public key %s not the one in auth.conf", u, key)
		}
		if strings.Contains(string(conf), strings.TrimSpace(string(seed))) {
			t.Errorf("auth.conf holds %s's seed", u)
		}
	}
	if st, _ := os.Stat(filepath.Join(dir, creds.AuthFile)); st.Mode().Perm() != 0o600 {
		t.Errorf("auth.conf mode %v, want 0600 (it holds the route password)", st.Mode().Perm())
	}
}

func TestGenerateNeverReplacesCredentialsByAccident(t *testing.T) {
	dir := t.TempDir()
	o := creds.Options{Dir: dir, RouteHosts: creds.DefaultRouteHosts}
	first, err := creds.Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := creds.Generate(o); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("second run: %v, want a refusal that names -force", err)
	}
	seed, _ := os.ReadFile(creds.SeedFile(dir, creds.Editor))
	kp, _ := nkeys.FromSeed([]byte(strings.TrimSpace(string(seed))))
	if key, _ := kp.PublicKey(); key != first.Keys[creds.Editor] {
		t.Fatal("the editor's seed changed")
	}
	o.Overwrite = true
	second, err := creds.Generate(o)
	if err != nil || second.Keys[creds.Editor] == first.Keys[creds.Editor] {
		t.Fatalf("forced run: %v; keys must be new", err)
	}
}

func TestGenerateRefusesBadRouteHosts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hosts []string
	}{
		{"none", nil},
		{"no_port", []string{"nats-1"}},
		{"empty_host", []string{":6222"}},
		{"quote_would_break_the_config", []string{`nats-1:6222" }`}},
		{"credentials_in_host", []string{"user:pw@nats-1:6222"}},
		{"space", []string{"nats 1:6222"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "s")
			_, err := creds.Generate(creds.Options{Dir: dir, RouteHosts: tc.hosts})
			if err == nil {
				t.Fatal("accepted")
			}
			if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
				t.Error("wrote files despite the error")
			}
		})
	}
}
