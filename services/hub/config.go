package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"

	"github.com/paeria/pregoner/shared/admin"
	"github.com/paeria/pregoner/shared/bus"
)

// Defaults of the one-process hub: everything on the loopback interface, so nothing is
// exposed until the IT team puts a proxy in front of it.
const (
	DefaultDataDir    = "./data"
	DefaultNATSListen = "127.0.0.1:4222"
)

// Config is the hub's configuration.
type Config struct {
	// DataDir holds JetStream's files: every bulletin and delivery record.
	DataDir string
	// NATSListen is where the embedded NATS server listens (host:port).
	NATSListen string
	// AdminAddr serves /livez, /readyz and /metrics; empty turns it off.
	AdminAddr string
	// LogFormat is "text" (for a terminal) or "json" (for a log collector).
	LogFormat string
	LogLevel  slog.Level
	// Getenv gives the services their own settings (tokens, URLs).
	Getenv func(string) string
}

// Validate checks what flags cannot.
func (c Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("-data: empty")
	}
	if _, _, err := c.natsHostPort(); err != nil {
		return fmt.Errorf("-nats-listen %q: %w", c.NATSListen, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("-log-format %q: want text or json", c.LogFormat)
	}
	return nil
}

func (c Config) natsHostPort() (string, int, error) {
	host, p, err := net.SplitHostPort(c.NATSListen)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from 0 to 65535", p)
	}
	return host, port, nil
}

// SeedFile is the nkey seed of a bus user (bus.UserEditor …); the hub creates one per
// user (mode 0600) in the data directory on first start.
func (c Config) SeedFile(user string) string {
	return filepath.Join(c.DataDir, "credentials", user+".nk")
}

// EditorSeed is the key the editor CLI and other local tools connect with: the editor's
// own, so they may do on the bus what the editor may, and no more.
func (c Config) EditorSeed() string { return c.SeedFile(bus.UserEditor) }

// editorSecretKey seals the editor's TOTP secrets; the editor CLI looks for it here too.
func (c Config) editorSecretKey() string {
	return filepath.Join(c.DataDir, "credentials", "editor-totp.key")
}

func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("hub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := Config{Getenv: getenv}
	fs.StringVar(&cfg.DataDir, "data", DefaultDataDir, "directory for the embedded NATS server's JetStream store")
	fs.StringVar(&cfg.NATSListen, "nats-listen", DefaultNATSListen, "host:port of the embedded NATS server")
	fs.StringVar(&cfg.AdminAddr, "admin", admin.DefaultAdminAddr, "host:port for /livez, /readyz and /metrics (empty: off)")
	fs.StringVar(&cfg.LogFormat, "log-format", "text", "log format: text or json")
	fs.TextVar(&cfg.LogLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn, error")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hub [flags]\n\nRuns pregoner in one process: an embedded NATS server and every service.")
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hub: unexpected argument %q\n", fs.Arg(0))
		return Config{}, errors.New("unexpected argument")
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, "hub:", err)
		return Config{}, err
	}
	return cfg, nil
}
