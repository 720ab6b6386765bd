package deploy_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/paeria/pregoner/deploy/cmd/gen-certs/certs"
	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/deploy/natscluster"
	"github.com/paeria/pregoner/shared/bus"
)

// TestEveryNodeConfigSpeaksTLS loads each node's configuration with the real loader:
// clients on TLS, routes on mutual TLS against the private CA, monitoring on loopback.
func TestEveryNodeConfigSpeaksTLS(t *testing.T) {
	for _, file := range []string{"node-1.conf", "node-2.conf", "node-3.conf"} {
		t.Run(file, func(t *testing.T) {
			o := loadNATSConfig(t, natscluster.ConfigDir(), file, map[string]string{"STATE_DIRECTORY": "/data"})
			if o.TLSConfig == nil || len(o.TLSConfig.Certificates) != 1 {
				t.Errorf("client port without TLS")
			}
			if rt := o.Cluster.TLSConfig; rt == nil || rt.ClientAuth != tls.RequireAndVerifyClientCert || rt.ClientCAs == nil {
				t.Errorf("routes without mutual TLS: %+v", rt)
			}
			if ip := net.ParseIP(o.HTTPHost); ip == nil || !ip.IsLoopback() || o.HTTPPort == 0 {
				t.Errorf("monitoring on %q:%d, want loopback", o.HTTPHost, o.HTTPPort)
			}
			if o.HTTPSPort != 0 {
				t.Errorf("https monitoring on port %d: it would be open beyond loopback", o.HTTPSPort)
			}
		})
	}
}

// TestClusterRefusesPlaintextAndUntrustedClients dials the running cluster as the
// services do (bus.Connect), with the admin's key, in every way but the right one.
func TestClusterRefusesPlaintextAndUntrustedClients(t *testing.T) {
	c, _ := startCluster(t)
	otherCA := filepath.Join(t.TempDir(), "tls")
	if err := certs.Generate(certs.Options{Dir: otherCA, Nodes: certs.DefaultNodes}); err != nil {
		t.Fatal(err)
	}
	seed := c.SeedFile(creds.Admin)
	clientCert, clientKey := certs.CertFile(c.TLSDir(), creds.Admin), certs.KeyFile(c.TLSDir(), creds.Admin)
	unknownAuthority := func(err error) bool {
		var ua x509.UnknownAuthorityError
		return errors.As(err, &ua) || strings.Contains(err.Error(), "certificate signed by unknown authority")
	}
	for _, tc := range []struct {
		name   string
		cfg    bus.ConnConfig
		refuse func(error) bool // nil: must connect
	}{
		// nats.go itself turns to TLS when a node requires it (the wire test below
		// speaks plaintext), and then cannot trust the node without the CA.
		{"nats_url_without_the_ca", bus.ConnConfig{URL: c.PlainURL(), NkeySeedFile: seed},
			func(err error) bool { return errors.Is(err, nats.ErrSecureConnRequired) || unknownAuthority(err) }},
		{"tls_without_the_ca", bus.ConnConfig{URL: c.URL(), NkeySeedFile: seed}, unknownAuthority},
		{"tls_trusting_another_ca", bus.ConnConfig{URL: c.URL(), NkeySeedFile: seed, CAFile: certs.CAFile(otherCA)}, unknownAuthority},
		{"certificate_without_its_key", bus.ConnConfig{URL: c.URL(), NkeySeedFile: seed, CAFile: c.CAFile(), CertFile: clientCert},
			func(err error) bool { return strings.Contains(err.Error(), "NATS_KEY_FILE") }},
		{"the_ca", bus.ConnConfig{URL: c.URL(), NkeySeedFile: seed, CAFile: c.CAFile()}, nil},
		// The CA alone asks for TLS: a nats:// URL cannot downgrade the link.
		{"the_ca_with_a_nats_url", bus.ConnConfig{URL: c.PlainURL(), NkeySeedFile: seed, CAFile: c.CAFile()}, nil},
		{"the_ca_and_a_client_certificate", bus.ConnConfig{URL: c.URL(), NkeySeedFile: seed, CAFile: c.CAFile(), CertFile: clientCert, KeyFile: clientKey}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Name = creds.Admin
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, err := bus.Connect(ctx, tc.cfg)
			switch {
			case tc.refuse == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.refuse == nil:
				defer conn.Close()
				if !conn.NC.TLSRequired() {
					t.Fatal("connected without TLS")
				}
				if _, err := conn.JS.AccountInfo(ctx); err != nil {
					t.Fatalf("connected, but JetStream: %v", err)
				}
			case err == nil:
				conn.Close()
				t.Fatal("connected")
			case !tc.refuse(err):
				t.Fatalf("refused for another reason: %v", err)
			}
		})
	}
}

// TestNodesRefusePlaintextOnTheWire speaks the NATS protocol in clear to a client port
// and a route port, as a client library without TLS (or a node without it) would: the
// node drops the connection instead of answering — after announcing TLS on the client
// port; the route port waits for a TLS handshake and says nothing in clear.
func TestNodesRefusePlaintextOnTheWire(t *testing.T) {
	c, _ := startCluster(t)
	opts, err := c.Options(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, addr, connect string
		info                bool // the node first sends INFO in clear
	}{
		{"client_port", fmt.Sprintf("127.0.0.1:%d", c.ClientPort(0)), `CONNECT {"verbose":false,"tls_required":false}`, true},
		{"route_port", fmt.Sprintf("127.0.0.1:%d", opts.Cluster.Port), `CONNECT {"verbose":false,"user":"route","pass":"x","name":"plain"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", tc.addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(15 * time.Second)) // beyond the nodes' 5 s TLS timeout
			r := bufio.NewReader(conn)
			if tc.info {
				info, err := r.ReadString('\n')
				if err != nil || !strings.Contains(info, `"tls_required":true`) {
					t.Fatalf("INFO %q (%v), want tls_required", info, err)
				}
			}
			if _, err := fmt.Fprintf(conn, "%s\r\nPING\r\n", tc.connect); err != nil {
				t.Fatal(err)
			}
			for {
				line, err := r.ReadString('\n')
				if strings.HasPrefix(line, "PONG") || strings.HasPrefix(line, "+OK") {
					t.Fatalf("the node answered a plaintext client: %q", line)
				}
				if err != nil {
					var ne net.Error
					if errors.As(err, &ne) && ne.Timeout() {
						t.Fatal("the node kept a plaintext connection open")
					}
					return // closed: refused
				}
			}
		})
	}
}

// TestRoutesNeedTheClusterCertificate starts a fourth node that knows everything a
// node's configuration holds — the route password, the routes — but has a certificate
// from another CA (and trusts any): no node takes its route, while the cluster itself
// formed over the same TLS (startCluster waits for its JetStream leader).
func TestRoutesNeedTheClusterCertificate(t *testing.T) {
	c, _ := startCluster(t)
	otherCA := filepath.Join(t.TempDir(), "tls")
	if err := certs.Generate(certs.Options{Dir: otherCA, Nodes: []string{"nats-1"}}); err != nil {
		t.Fatal(err)
	}
	opts, err := c.Options(0)
	if err != nil {
		t.Fatal(err)
	}
	opts.ServerName = "rogue"
	opts.Port, opts.Cluster.Port, opts.HTTPPort = -1, -1, 0
	opts.JetStream, opts.StoreDir = false, t.TempDir()
	opts.Cluster.TLSConfig, err = server.GenTLSConfig(&server.TLSConfigOpts{
		CertFile: certs.CertFile(otherCA, "nats-1"), KeyFile: certs.KeyFile(otherCA, "nats-1"),
		CaFile: certs.CAFile(otherCA), Verify: true,
		// It accepts any node's certificate, so what refuses the route is the
		// cluster's check of the fourth node's certificate.
		Insecure: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go rogue.Start()
	t.Cleanup(func() { rogue.Shutdown(); rogue.WaitForShutdown() })
	if !rogue.ReadyForConnections(10 * time.Second) {
		t.Fatal("the fourth node did not start")
	}
	time.Sleep(3 * time.Second) // several route attempts each way
	if n := rogue.NumRoutes(); n != 0 {
		t.Errorf("the node with another CA's certificate has %d routes", n)
	}
	for i := range natscluster.Size {
		peers := routePeers(t, c, i)
		if len(peers) != natscluster.Size-1 || strings.Contains(strings.Join(peers, ","), "rogue") {
			t.Errorf("nats-%d routes to %v, want its two peers only", i+1, peers)
		}
	}
}

// routePeers reads node i's /routez (on loopback, where monitoring listens): the
// names of the nodes it has routes to.
func routePeers(t *testing.T, c *natscluster.Cluster, i int) []string {
	t.Helper()
	var routez server.Routez
	getJSON(t, fmt.Sprintf("http://127.0.0.1:%d/routez", c.MonitorPort(i)), &routez)
	seen := map[string]bool{}
	var peers []string
	for _, r := range routez.Routes { // one node has a pool of routes
		if !seen[r.RemoteName] {
			seen[r.RemoteName] = true
			peers = append(peers, r.RemoteName)
		}
	}
	return peers
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestMonitoringIsOnlyOnLoopback reaches a node's monitoring on 127.0.0.1 and on no
// other address of this machine.
func TestMonitoringIsOnlyOnLoopback(t *testing.T) {
	c, _ := startCluster(t)
	port := strconv.Itoa(c.MonitorPort(0))
	resp, err := http.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		t.Fatalf("no monitoring on loopback: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz on loopback: %s", resp.Status)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, a := range addrs {
		ipnet, ok := a.(*net.IPNet)
		if !ok || ipnet.IP.IsLoopback() || ipnet.IP.IsLinkLocalUnicast() {
			continue
		}
		tried++
		// This machine's own address: the connection never leaves it.
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(ipnet.IP.String(), port), 2*time.Second)
		if err == nil {
			conn.Close()
			t.Errorf("monitoring answers on %s", ipnet.IP)
		}
	}
	t.Logf("monitoring refused on %d non-loopback addresses", tried)
}
