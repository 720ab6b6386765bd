package deploy_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/paeria/pregoner/deploy/natscluster"
	"github.com/paeria/pregoner/shared/natstest"
)

// logCapture is a nats-server logger that keeps every line.
type logCapture struct {
	mu    sync.Mutex
	lines []string
}

func (l *logCapture) add(level, f string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+" "+fmt.Sprintf(f, v...))
}
func (l *logCapture) Noticef(f string, v ...any) { l.add("INF", f, v...) }
func (l *logCapture) Warnf(f string, v ...any)   { l.add("WRN", f, v...) }
func (l *logCapture) Fatalf(f string, v ...any)  { l.add("FTL", f, v...) }
func (l *logCapture) Errorf(f string, v ...any)  { l.add("ERR", f, v...) }
func (l *logCapture) Debugf(f string, v ...any)  { l.add("DBG", f, v...) }
func (l *logCapture) Tracef(f string, v ...any)  { l.add("TRC", f, v...) }

func (l *logCapture) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// TestNodeLogsNeverShowTheRoutePassword runs a node from node-1.conf at debug level
// while it fails to reach its peers (they are not running): the lines about its routes
// name them, never with the password the route URLs carry.
func TestNodeLogsNeverShowTheRoutePassword(t *testing.T) {
	opts := loadNATSConfig(t, natscluster.ConfigDir(), "node-1.conf", map[string]string{"STATE_DIRECTORY": t.TempDir()})
	password := opts.Cluster.Password
	if len(password) < 32 {
		t.Fatalf("route password %d characters long, want a generated one", len(password))
	}
	opts.Host, opts.Port = "127.0.0.1", -1
	opts.Cluster.Host, opts.Cluster.Port = "127.0.0.1", -1
	opts.HTTPPort = 0
	opts.NoSigs = true
	for _, r := range opts.Routes { // peers that refuse at once instead of resolving nats-2
		r.Host = "127.0.0.1:1"
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logCapture{}
	srv.SetLoggerV2(logs, true, false, false)
	go srv.Start()
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	natstest.WaitFor(t, 30*time.Second, "the node to log its route attempts", func() bool {
		return strings.Count(logs.text(), "127.0.0.1:1") >= 3
	})
	if out := logs.text(); strings.Contains(out, password) {
		t.Fatalf("the route password is in the node's log:\n%s", out)
	}
}
