// Package certs generates the TLS material of pregoner's NATS cluster: a private
// certificate authority, a certificate per node (its client port, its monitoring and
// its cluster routes, where the nodes authenticate each other with it), optional client
// certificates, and <node>.conf, which that node's node-N.conf includes.
//
// Generate writes, in a directory of mode 0700: ca.pem and ca-key.pem; <node>.pem,
// <node>-key.pem and <node>.conf per node; <client>.pem and <client>-key.pem per client.
// A <node>.conf holds the paths of the CA and of that node's files as NATS configuration
// variables (TLS_CA, TLS_CERT, TLS_KEY): nats-server refuses a variable its
// configuration does not use, so each node gets a file of its own. Keys are ECDSA P-256,
// mode 0600.
//
// Nothing in this package keeps state between calls; it is safe for concurrent use.
package certs

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// DefaultNodes are the nodes' names in deploy/nats, deploy/compose and on hosts named
// like the compose services.
var DefaultNodes = []string{"nats-1", "nats-2", "nats-3"}

// Options says what to generate.
type Options struct {
	// Dir receives the files; it is created (mode 0700) if missing.
	Dir string
	// ConfDir is where the nodes will read Dir's files, written into <node>.conf
	// (nats-server reads cert_file relative to its working directory, not to the
	// configuration, so the paths are absolute). Empty: Dir, made absolute.
	ConfDir string
	// Nodes get one server certificate each, valid for the node's name, localhost,
	// 127.0.0.1 and ::1, and for SANs[node].
	Nodes []string
	// SANs are more names or IP addresses per node: what the clients and the other
	// nodes' route URLs call it.
	SANs map[string][]string
	// Clients get one client certificate each (optional: the nodes do not ask clients
	// for one; an nkey is a client's identity).
	Clients []string
	// Validity of the node and client certificates; the CA's is ten years.
	Validity time.Duration
	// Overwrite replaces existing files; without it Generate refuses a directory that
	// already holds a CA, so running it twice cannot cut a running cluster off.
	Overwrite bool
}

var nameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// Validate checks the options.
func (o Options) Validate() error {
	if o.Dir == "" {
		return errors.New("certs: no directory")
	}
	if len(o.Nodes) == 0 {
		return errors.New("certs: no nodes")
	}
	if o.Validity < 0 {
		return errors.New("certs: negative validity")
	}
	// Names become file names and configuration variables: keep them plain.
	for _, n := range append(append([]string{}, o.Nodes...), o.Clients...) {
		if !nameRE.MatchString(n) || n == "ca" {
			return fmt.Errorf("certs: name %q: want lower-case letters, digits and dashes (not ca)", n)
		}
	}
	for node, sans := range o.SANs {
		if !slices.Contains(o.Nodes, node) {
			return fmt.Errorf("certs: SANs for %q, which is not a node", node)
		}
		for _, s := range sans {
			if net.ParseIP(s) == nil && !validDNS(s) {
				return fmt.Errorf("certs: SAN %q of %s: want a host name or an IP address", s, node)
			}
		}
	}
	if strings.ContainsAny(o.ConfDir, "\"\\\n") {
		return fmt.Errorf("certs: directory %q would break the node configuration", o.ConfDir)
	}
	return nil
}

func validDNS(s string) bool {
	for _, label := range strings.Split(strings.TrimPrefix(s, "*."), ".") {
		if !nameRE.MatchString(strings.ToLower(label)) {
			return false
		}
	}
	return true
}

// CAFile is the CA certificate in dir: what every client trusts (NATS_CA_FILE).
func CAFile(dir string) string { return filepath.Join(dir, "ca.pem") }

// CertFile is name's certificate in dir.
func CertFile(dir, name string) string { return filepath.Join(dir, name+".pem") }

// KeyFile is name's private key in dir.
func KeyFile(dir, name string) string { return filepath.Join(dir, name+"-key.pem") }

// ConfFile is the configuration node-N.conf includes for node in dir
// (secrets/tls/nats-1.conf for node-1.conf).
func ConfFile(dir, node string) string { return filepath.Join(dir, node+".conf") }

// Generate makes a fresh CA, signs a certificate for every node and client, and
// writes them with each node's configuration.
func Generate(o Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.Validity == 0 {
		o.Validity = 825 * 24 * time.Hour // the longest a public CA would issue; renew before
	}
	if o.ConfDir == "" {
		abs, err := filepath.Abs(o.Dir)
		if err != nil {
			return fmt.Errorf("certs: %w", err)
		}
		o.ConfDir = abs
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	if err := os.Chmod(o.Dir, 0o700); err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	if !o.Overwrite {
		if _, err := os.Stat(CAFile(o.Dir)); err == nil {
			return fmt.Errorf("certs: %s already holds a CA; pass -force to replace it (every client then needs the new ca.pem)", o.Dir)
		}
	}
	now := time.Now()
	ca, err := newCA(now)
	if err != nil {
		return err
	}
	if err := ca.write(o.Dir, "ca"); err != nil {
		return err
	}
	for _, n := range o.Nodes {
		leaf, err := ca.sign(n, leafSANs(n, o.SANs[n]), server, now, o.Validity)
		if err != nil {
			return err
		}
		if err := leaf.write(o.Dir, n); err != nil {
			return err
		}
		if err := writeFile(ConfFile(o.Dir, n), []byte(conf(o.ConfDir, n)), 0o644); err != nil {
			return err
		}
	}
	for _, c := range o.Clients {
		leaf, err := ca.sign(c, nil, client, now, o.Validity)
		if err != nil {
			return err
		}
		if err := leaf.write(o.Dir, c); err != nil {
			return err
		}
	}
	return nil
}

// leafSANs are a node's names: its own, loopback (operators' tools and probes on the
// machine, the tests) and the extra ones.
func leafSANs(node string, extra []string) []string {
	return append([]string{node, "localhost", "127.0.0.1", "::1"}, extra...)
}

func conf(dir, node string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by deploy/cmd/gen-certs: where %s finds the CA, its certificate and key.\n", node)
	fmt.Fprintf(&b, "TLS_CA: %q\n", CAFile(dir))
	fmt.Fprintf(&b, "TLS_CERT: %q\n", CertFile(dir, node))
	fmt.Fprintf(&b, "TLS_KEY: %q\n", KeyFile(dir, node))
	return b.String()
}

// writeFile creates path with mode perm (replacing it), so a key is never readable by
// others, not even for a moment.
func writeFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("certs: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("certs: write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("certs: write %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	return nil
}
