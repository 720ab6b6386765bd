// Package natstest runs real NATS servers for tests: the same embedded JetStream server
// the hub runs, fsyncing every write, on a random port and a temporary directory. There
// is no mock of the bus anywhere in pregoner's tests.
package natstest

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bus"
)

// Server is a test NATS server that can be stopped and started again on the same
// store, as after a crash or a restart.
type Server struct {
	t   testing.TB
	dir string
	srv *bus.Embedded
	url string
}

// Start runs a server that is shut down when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, dir: t.TempDir()}
	s.start(-1)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start(port int) {
	s.t.Helper()
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Host: "127.0.0.1", Port: port, StoreDir: s.dir})
	if err != nil {
		s.t.Fatalf("start nats: %v", err)
	}
	s.srv, s.url = srv, srv.URL()
}

// URL is the server's client URL; it stays the same across Restart.
func (s *Server) URL() string { return s.url }

// Stop shuts the server down; clients keep trying to reconnect.
func (s *Server) Stop() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv = nil
	}
}

// Restart stops the server and starts it again on the same port and store.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	u, err := url.Parse(s.url)
	if err != nil {
		s.t.Fatalf("restart nats: %v", err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		s.t.Fatalf("restart nats: port of %s: %v", s.url, err)
	}
	s.start(port)
}

// Connect returns a client connection with the stream and bucket set up, closed when
// the test ends.
func (s *Server) Connect(name string) *bus.Conn {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := bus.Connect(ctx, bus.ConnConfig{URL: s.url, Name: name})
	if err != nil {
		s.t.Fatalf("connect: %v", err)
	}
	s.t.Cleanup(func() { c.NC.Close() })
	if err := bus.Setup(ctx, c.JS, bus.Topology{}); err != nil {
		s.t.Fatalf("setup: %v", err)
	}
	return c
}

// WaitFor polls cond until it holds, failing the test after timeout. Use it instead of
// sleeping: the test is as fast as the machine allows and no faster.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
