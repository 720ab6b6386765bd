// Command preview serves the public page with sample bulletins and nothing else: an
// embedded NATS server in a temporary directory, the web service as the hub runs it,
// and every bulletin file of a directory published once. It is for looking at the page
// (and for measuring it with Lighthouse, docs/lighthouse.md) without an editor account.
//
//	go run ./services/web/preview -content content -addr 127.0.0.1:8091
//
// WEB_MAX_STREAMS and WEB_MAX_STREAMS_PER_ADDR pass through, for load runs
// (docs/crowd.md). It stops on Ctrl-C or SIGTERM and removes its directory. It listens on loopback only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/service"
)

func main() {
	content := flag.String("content", "content", "directory of bulletin files (*.md) to publish")
	addr := flag.String("addr", "127.0.0.1:8091", "loopback address to serve the page on")
	natsPort := flag.Int("nats-port", -1, "port of the embedded NATS server on 127.0.0.1, no auth (-1: any free one); for a load tool to publish on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *content, *addr, *natsPort, log); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "preview:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, content, addr string, natsPort int, log *slog.Logger) error {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: want a loopback host:port, e.g. 127.0.0.1:8091", addr)
	}
	if natsPort < -1 || natsPort == 0 || natsPort > 65535 {
		return fmt.Errorf("-nats-port %d: want -1 or 1 to 65535", natsPort)
	}
	files, err := filepath.Glob(filepath.Join(content, "*.md"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("-content %q: no *.md bulletin files there", content)
	}
	dir, err := os.MkdirTemp("", "pregoner-preview-*")
	if err != nil {
		return fmt.Errorf("bus directory: %w", err)
	}
	defer os.RemoveAll(dir)
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Host: "127.0.0.1", Port: natsPort, StoreDir: dir, Logger: log})
	if err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	defer srv.Shutdown()
	conn, err := bus.Connect(ctx, bus.ConnConfig{URL: srv.URL(), Name: "preview", Logger: log})
	if err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	defer conn.Close()
	if err := bus.Setup(ctx, conn.JS, bus.Topology{}); err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	pub, err := bus.NewBulletins(ctx, conn.JS)
	if err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		b, err := bulletin.Parse(name, src, bulletin.Options{})
		if err != nil {
			return err // names file, line and field
		}
		if _, err := pub.Publish(ctx, b, "preview"); err != nil {
			return fmt.Errorf("publish %s: %w", name, err)
		}
	}
	env := map[string]string{"WEB_ADDR": addr, "WEB_BASE_URL": "http://" + addr, "WEB_TRUSTED_PROXIES": "none",
		"WEB_MAX_STREAMS": os.Getenv("WEB_MAX_STREAMS"), "WEB_MAX_STREAMS_PER_ADDR": os.Getenv("WEB_MAX_STREAMS_PER_ADDR")}
	fmt.Fprintf(os.Stderr, "preview: %d bulletins from %s on http://%s/, bus %s (Ctrl-C stops)\n", len(files), content, addr, srv.URL())
	return site.Spec().Run(ctx, service.Env{JS: conn.JS, Getenv: func(k string) string { return env[k] }, Log: log})
}
