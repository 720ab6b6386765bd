// Package natscluster runs pregoner's production NATS cluster in the test process: three
// real nats-server nodes loaded from deploy/nats (node-1.conf … node-3.conf and their
// shared accounts.conf), with credentials generated for the test by deploy/creds and TLS
// certificates by deploy/cmd/gen-certs/certs (the code behind gen-certs.sh). Only what a
// test cannot share with a real deployment is overridden: the ports (loopback, free), the
// store directories (temporary) and the route hosts. Clients, routes and monitoring run
// as configured: TLS, mutual TLS, loopback.
//
// A node can be stopped and started again on the same store, as after a maintenance
// restart, to test what the services see when the cluster loses a member. With
// StartProcesses each node is a child process that Crash kills outright.
package natscluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/deploy/cmd/gen-certs/certs"
	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/shared/bus"
)

// Size is the number of nodes: what R3 streams need to survive losing one.
const Size = 3

// Cluster is three running nodes. Its methods are not safe for concurrent use; the
// connections it hands out are.
type Cluster struct {
	tb      testing.TB
	dir     string // the copy of deploy/nats, with secrets/ generated
	secrets string
	tls     string // secrets/tls: the CA and the nodes' certificates
	nodes   [Size]*node
	// processes: each node runs in a child process (StartProcesses).
	processes bool
}

type node struct {
	name        string
	conf        string
	store       string
	clientPort  int
	clusterPort int
	httpPort    int
	srv         *server.Server
	cmd         *exec.Cmd
}

// ConfigDir is deploy/nats in the source tree.
func ConfigDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "nats")
}

// Start copies deploy/nats to a temporary directory, generates credentials there, starts
// the three nodes and waits until JetStream has a meta leader. Everything is stopped
// when the test ends. It sets STATE_DIRECTORY for the test (the configs read it), so
// tests using it cannot run in parallel with each other.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c := prepare(tb)
	tb.Cleanup(c.StopAll)
	for i := range c.nodes {
		c.StartNode(i)
	}
	c.waitJetStream()
	return c
}

// prepare copies the configuration, picks the ports and generates the credentials.
func prepare(tb testing.TB) *Cluster {
	tb.Helper()
	c := &Cluster{tb: tb, dir: tb.TempDir()}
	c.secrets = filepath.Join(c.dir, "secrets")
	c.tls = filepath.Join(c.secrets, "tls")
	if err := copyConfigs(ConfigDir(), c.dir); err != nil {
		tb.Fatalf("natscluster: %v", err)
	}
	tb.Setenv("STATE_DIRECTORY", filepath.Join(c.dir, "unused-store"))
	ports, err := freePorts(3 * Size)
	if err != nil {
		tb.Fatalf("natscluster: %v", err)
	}
	var routes []string
	for i := range c.nodes {
		c.nodes[i] = &node{
			name:        fmt.Sprintf("nats-%d", i+1),
			conf:        filepath.Join(c.dir, fmt.Sprintf("node-%d.conf", i+1)),
			store:       filepath.Join(c.dir, fmt.Sprintf("store-%d", i+1)),
			clientPort:  ports[3*i],
			clusterPort: ports[3*i+1],
			httpPort:    ports[3*i+2],
		}
		routes = append(routes, fmt.Sprintf("127.0.0.1:%d", c.nodes[i].clusterPort))
	}
	if _, err := creds.Generate(creds.Options{Dir: c.secrets, RouteHosts: routes}); err != nil {
		tb.Fatalf("natscluster: %v", err)
	}
	if err := certs.Generate(certs.Options{Dir: c.tls, Nodes: nodeNames(), Clients: []string{creds.Admin}}); err != nil {
		tb.Fatalf("natscluster: %v", err)
	}
	return c
}

func nodeNames() []string {
	var names []string
	for i := range Size {
		names = append(names, fmt.Sprintf("nats-%d", i+1))
	}
	return names
}

func copyConfigs(from, to string) error {
	files, err := filepath.Glob(filepath.Join(from, "*.conf"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no configuration in %s (%v)", from, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Options loads node i's configuration from the copy of deploy/nats, as nats-server
// -c would, and points it at the test's ports and store.
func (c *Cluster) Options(i int) (*server.Options, error) {
	n := c.nodes[i]
	opts, err := server.ProcessConfigFile(n.conf)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", filepath.Base(n.conf), err)
	}
	c.spec(i).apply(opts)
	return opts, nil
}

func (c *Cluster) spec(i int) nodeSpec {
	n := c.nodes[i]
	return nodeSpec{Conf: n.conf, Store: n.store, ClientPort: n.clientPort, ClusterPort: n.clusterPort, HTTPPort: n.httpPort}
}

// StartNode starts node i (0-based) on its port and store, after a StopNode too.
func (c *Cluster) StartNode(i int) {
	c.tb.Helper()
	n := c.nodes[i]
	if n.srv != nil || n.cmd != nil {
		return
	}
	if c.processes {
		c.startProcess(i)
		return
	}
	opts, err := c.Options(i)
	if err != nil {
		c.tb.Fatalf("natscluster: %v", err)
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		c.tb.Fatalf("natscluster: %s: %v", n.name, err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		c.tb.Fatalf("natscluster: %s not ready after 30s", n.name)
	}
	n.srv = srv
}

// StopNode shuts node i down cleanly (SIGTERM for a process); its store stays for
// StartNode.
func (c *Cluster) StopNode(i int) {
	c.stopProcess(i)
	if srv := c.nodes[i].srv; srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
		c.nodes[i].srv = nil
	}
}

// StopAll shuts every node down.
func (c *Cluster) StopAll() {
	for i := range c.nodes {
		c.StopNode(i)
	}
}

// Running reports whether node i is up.
func (c *Cluster) Running(i int) bool { return c.nodes[i].srv != nil || c.nodes[i].cmd != nil }

// Index returns the index of the node with that server name, or -1.
func (c *Cluster) Index(name string) int {
	for i, n := range c.nodes {
		if n.name == name {
			return i
		}
	}
	return -1
}

// URL lists every node's client URL, comma-separated, as NATS_URL does in production:
// tls://, since the nodes take TLS clients only.
func (c *Cluster) URL() string { return c.url("tls") }

// PlainURL is URL with nats:// — what a client that does not ask for TLS dials.
func (c *Cluster) PlainURL() string { return c.url("nats") }

func (c *Cluster) url(scheme string) string {
	var urls []string
	for _, n := range c.nodes {
		urls = append(urls, fmt.Sprintf("%s://127.0.0.1:%d", scheme, n.clientPort))
	}
	return strings.Join(urls, ",")
}

// ClientPort is node i's client port, on 127.0.0.1.
func (c *Cluster) ClientPort(i int) int { return c.nodes[i].clientPort }

// MonitorPort is node i's monitoring port, on the host its configuration names.
func (c *Cluster) MonitorPort(i int) int { return c.nodes[i].httpPort }

// CAFile is the CA every node's certificate chains to (NATS_CA_FILE).
func (c *Cluster) CAFile() string { return certs.CAFile(c.tls) }

// TLSDir holds the CA, the nodes' certificates and keys, and an admin client
// certificate (certs.CertFile(dir, "admin")).
func (c *Cluster) TLSDir() string { return c.tls }

// SeedFile is the nkey seed file of user (see deploy/creds).
func (c *Cluster) SeedFile(user string) string { return creds.SeedFile(c.secrets, user) }

// SecretsDir holds the generated auth.conf and seed files.
func (c *Cluster) SecretsDir() string { return c.secrets }

// Dial connects as user with the real shared code (bus.Connect with the user's seed
// file and the CA), without failing the test, so a test can look at a refused
// connection.
func (c *Cluster) Dial(ctx context.Context, user string) (*bus.Conn, error) {
	return bus.Connect(ctx, c.ConnConfig(user))
}

// ConnConfig is what a service signing in as user is given: NATS_URL, NATS_NKEY_SEED,
// NATS_CA_FILE.
func (c *Cluster) ConnConfig(user string) bus.ConnConfig {
	return bus.ConnConfig{URL: c.URL(), Name: user, NkeySeedFile: c.SeedFile(user), CAFile: c.CAFile()}
}

// Connect is Dial that fails the test on error; the connection closes when it ends.
func (c *Cluster) Connect(user string) *bus.Conn {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := c.Dial(ctx, user)
	if err != nil {
		c.tb.Fatalf("natscluster: connect as %s: %v", user, err)
	}
	c.tb.Cleanup(conn.NC.Close)
	return conn
}

// waitJetStream waits until the nodes have elected a JetStream meta leader, so the
// first bus.Setup does not race the election.
func (c *Cluster) waitJetStream() {
	c.tb.Helper()
	conn := c.Connect(creds.Admin)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := conn.JS.AccountInfo(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("natscluster: JetStream not available after 60s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StreamLeader returns the index of the node leading stream, asking as admin.
func (c *Cluster) StreamLeader(ctx context.Context, js jetstream.JetStream, stream string) (int, error) {
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return -1, fmt.Errorf("stream %s: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return -1, fmt.Errorf("stream %s: %w", stream, err)
	}
	if info.Cluster == nil || info.Cluster.Leader == "" {
		return -1, errors.New("stream " + stream + " has no leader")
	}
	return c.Index(info.Cluster.Leader), nil
}
