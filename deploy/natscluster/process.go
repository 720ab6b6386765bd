package natscluster

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// envNode carries a node's spec to a child process started by StartProcesses.
const envNode = "NATSCLUSTER_NODE"

// nodeSpec is what a child process needs to run one node.
type nodeSpec struct {
	Conf        string `json:"conf"`
	Store       string `json:"store"`
	ClientPort  int    `json:"client_port"`
	ClusterPort int    `json:"cluster_port"`
	HTTPPort    int    `json:"http_port"`
}

// StartProcesses is Start with each node in its own process, so a test can kill one
// without warning (Crash): no leadership hand-over, no final flush — what a power cut or
// an OOM kill does. The test binary runs the nodes itself: its TestMain must call
// ServeNodeFromEnv first.
func StartProcesses(tb testing.TB) *Cluster {
	tb.Helper()
	c := prepare(tb)
	c.processes = true
	tb.Cleanup(c.StopAll)
	for i := range c.nodes {
		c.StartNode(i)
	}
	c.waitJetStream()
	return c
}

// ServeNodeFromEnv runs a node when this process was started by StartProcesses, until
// SIGTERM, and reports whether it did; TestMain then exits. Otherwise it returns false
// at once.
func ServeNodeFromEnv() bool {
	raw := os.Getenv(envNode)
	if raw == "" {
		return false
	}
	if err := serveNode(raw); err != nil {
		fmt.Fprintln(os.Stderr, "natscluster node:", err)
		os.Exit(1)
	}
	return true
}

func serveNode(raw string) error {
	var spec nodeSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		return err
	}
	opts, err := server.ProcessConfigFile(spec.Conf)
	if err != nil {
		return err
	}
	spec.apply(opts)
	srv, err := server.NewServer(opts)
	if err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go srv.Start()
	<-sig
	srv.Shutdown()
	srv.WaitForShutdown()
	return nil
}

func (s nodeSpec) apply(opts *server.Options) {
	opts.Host, opts.Port = "127.0.0.1", s.ClientPort
	opts.Cluster.Host, opts.Cluster.Port = "127.0.0.1", s.ClusterPort
	// Monitoring keeps the host its configuration binds (a test checks it stays off
	// other interfaces) on a free port; no configured port, no monitoring.
	if opts.HTTPPort != 0 {
		opts.HTTPPort = s.HTTPPort
	}
	if opts.HTTPSPort != 0 {
		opts.HTTPSPort = s.HTTPPort
	}
	opts.StoreDir = s.Store
	opts.NoSigs = true
	opts.NoLog = true
}

func (c *Cluster) startProcess(i int) {
	c.tb.Helper()
	n := c.nodes[i]
	spec, err := json.Marshal(c.spec(i))
	if err != nil {
		c.tb.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		c.tb.Fatalf("natscluster: %v", err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), envNode+"="+string(spec))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		c.tb.Fatalf("natscluster: start %s: %v", n.name, err)
	}
	n.cmd = cmd
	addr := fmt.Sprintf("127.0.0.1:%d", n.clientPort)
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("natscluster: %s not accepting connections after 30s: %v", n.name, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Crash kills node i's process with SIGKILL. Only for clusters from StartProcesses.
func (c *Cluster) Crash(i int) {
	c.tb.Helper()
	n := c.nodes[i]
	if !c.processes {
		c.tb.Fatal("natscluster: Crash needs StartProcesses")
	}
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Kill()
	_ = n.cmd.Wait()
	n.cmd = nil
}

func (c *Cluster) stopProcess(i int) {
	n := c.nodes[i]
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = n.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = n.cmd.Process.Kill()
		<-done
	}
	n.cmd = nil
}
