// Command natsprobe is the Kubernetes probe of a pregoner NATS pod: it asks the node's
// monitoring endpoint on the pod's own loopback for its health, and exits 0 when the
// node answers 200, 1 otherwise (saying why on standard error, which the kubelet keeps
// in the pod's events).
//
//	natsprobe /healthz                        # the node, JetStream and its streams current
//	natsprobe '/healthz?js-enabled-only=true' # the node up with JetStream enabled
//
// It exists because the monitoring port stays on loopback (the endpoints have no login
// and /connz names every client), which the kubelet's HTTP probes cannot reach, and the
// image (distroless) has no shell or curl for an exec probe. It asks only 127.0.0.1:8222,
// the address deploy/k8s/nats.conf gives monitoring, and only a /healthz path.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// monitor is where deploy/k8s/nats.conf's "http" listens.
const monitor = "http://127.0.0.1:8222"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: natsprobe /healthz[?js-enabled-only=true]")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	if err := probe(ctx, http.DefaultClient, monitor, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "natsprobe:", err)
		os.Exit(1)
	}
}

// probe asks base+path and reports a node that is not healthy, in the node's words.
func probe(ctx context.Context, hc *http.Client, base, path string) error {
	if path != "/healthz" && !strings.HasPrefix(path, "/healthz?") {
		return fmt.Errorf("path %q: want /healthz, with or without a query", path)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return fmt.Errorf("path %q: %w", path, err)
	}
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("ask %s: %w", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s: %s", path, res.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
