package certs_test

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paeria/pregoner/deploy/cmd/gen-certs/certs"
)

func TestGenerateWritesPrivateKeysAndNodeCertificates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	o := certs.Options{Dir: dir, Nodes: certs.DefaultNodes, Clients: []string{"admin"},
		SANs: map[string][]string{"nats-2": {"10.0.0.2", "nats-2.lleida.example"}}}
	if err := certs.Generate(o); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("directory: %v, %v; want mode 0700", st, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(read(t, certs.CAFile(dir))) {
		t.Fatal("ca.pem holds no certificate")
	}
	for _, name := range []string{"ca", "nats-1", "nats-2", "nats-3", "admin"} {
		if st, err := os.Stat(certs.KeyFile(dir, name)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s's key: %v; want mode 0600", name, err)
		}
	}
	for _, tc := range []struct {
		name  string
		hosts []string // the certificate must be valid for each
		usage x509.ExtKeyUsage
	}{
		{"nats-1", []string{"nats-1", "localhost", "127.0.0.1", "::1"}, x509.ExtKeyUsageServerAuth},
		{"nats-1", nil, x509.ExtKeyUsageClientAuth}, // it dials its peers' routes too
		{"nats-2", []string{"nats-2", "10.0.0.2", "nats-2.lleida.example"}, x509.ExtKeyUsageServerAuth},
		{"admin", nil, x509.ExtKeyUsageClientAuth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pair, err := tls.LoadX509KeyPair(certs.CertFile(dir, tc.name), certs.KeyFile(dir, tc.name))
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := x509.ParseCertificate(pair.Certificate[0])
			if err != nil {
				t.Fatal(err)
			}
			opts := x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{tc.usage}}
			if _, err := leaf.Verify(opts); err != nil {
				t.Errorf("does not chain to the CA for %v: %v", tc.usage, err)
			}
			for _, h := range tc.hosts {
				if err := leaf.VerifyHostname(h); err != nil {
					t.Errorf("not valid for %s: %v", h, err)
				}
			}
			if tc.name == "nats-1" && leaf.VerifyHostname("nats-2") == nil {
				t.Error("nats-1's certificate is valid for nats-2")
			}
		})
	}
	conf := string(read(t, certs.ConfFile(dir, "nats-1")))
	abs, _ := filepath.Abs(dir)
	for _, want := range []string{certs.CAFile(abs), certs.CertFile(abs, "nats-1"), certs.KeyFile(abs, "nats-1")} {
		if !strings.Contains(conf, want) {
			t.Errorf("nats-1.conf lacks %s:\n%s", want, conf)
		}
	}
}

func TestGenerateWritesThePathsTheNodesSee(t *testing.T) {
	dir := t.TempDir()
	if err := certs.Generate(certs.Options{Dir: dir, Nodes: []string{"nats-1"}, ConfDir: "/etc/nats/secrets/tls"}); err != nil {
		t.Fatal(err)
	}
	if conf := string(read(t, certs.ConfFile(dir, "nats-1"))); !strings.Contains(conf, `TLS_CERT: "/etc/nats/secrets/tls/nats-1.pem"`) {
		t.Errorf("nats-1.conf:\n%s", conf)
	}
}

func TestGenerateNeverReplacesTheCAByAccident(t *testing.T) {
	dir := t.TempDir()
	o := certs.Options{Dir: dir, Nodes: certs.DefaultNodes}
	if err := certs.Generate(o); err != nil {
		t.Fatal(err)
	}
	first := read(t, certs.CAFile(dir))
	if err := certs.Generate(o); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("second run: %v, want a refusal that names -force", err)
	}
	if string(read(t, certs.CAFile(dir))) != string(first) {
		t.Fatal("the CA changed")
	}
	o.Overwrite = true
	if err := certs.Generate(o); err != nil || string(read(t, certs.CAFile(dir))) == string(first) {
		t.Fatalf("forced run: %v; the CA must be new", err)
	}
}

func TestGenerateRefusesBadNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    certs.Options
	}{
		{"no_nodes", certs.Options{}},
		{"path_in_a_name", certs.Options{Nodes: []string{"../nats-1"}}},
		{"upper_case", certs.Options{Nodes: []string{"NATS-1"}}},
		{"a_client_named_ca", certs.Options{Nodes: certs.DefaultNodes, Clients: []string{"ca"}}},
		{"san_of_no_node", certs.Options{Nodes: certs.DefaultNodes, SANs: map[string][]string{"nats-4": {"x"}}}},
		{"bad_san", certs.Options{Nodes: certs.DefaultNodes, SANs: map[string][]string{"nats-1": {"a b"}}}},
		{"quote_in_conf_dir", certs.Options{Nodes: certs.DefaultNodes, ConfDir: `/etc/"x`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Dir = filepath.Join(t.TempDir(), "tls")
			if err := certs.Generate(tc.o); err == nil {
				t.Fatal("accepted")
			}
			if _, err := os.Stat(tc.o.Dir); !os.IsNotExist(err) {
				t.Error("wrote files despite the error")
			}
		})
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
