package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/paeria/pregoner/shared/admin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/settings"
)

// Main is the whole of a service's own process (not the hub): --help prints its
// settings; JSON logs go to stderr; SIGINT or SIGTERM stop it gracefully; it connects
// with the NATS_* settings (a worker does not create the stream: its key allows only
// its own consumer and records); it serves /livez, /readyz and /metrics on ADMIN_ADDR
// when set; and it runs spec.Run until the signal. It exits 1 on failure, 2 on a bad
// argument.
func Main(spec Spec) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, spec, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// ProcessSettings are the settings Main reads for every service, after its own.
func ProcessSettings(conn *bus.ConnConfig, topo *bus.Topology, adminAddr *string) settings.Table {
	return append(bus.Settings(conn, topo), settings.Setting{Var: "ADMIN_ADDR",
		Meaning: "host:port for /livez, /readyz and /metrics (unset: not served)", Parse: settings.Addr(adminAddr)})
}

// Help writes what --help prints for spec.
func Help(w io.Writer, spec Spec) error {
	fmt.Fprintf(w, "%s\n\nUsage: %s [--help]\n\nSettings (environment variables):\n", strings.TrimSpace(spec.Doc), spec.Name)
	var conn bus.ConnConfig
	var topo bus.Topology
	var addr string
	table := append(spec.Settings(), ProcessSettings(&conn, &topo, &addr)...)
	return table.Help(w)
}

func run(ctx context.Context, spec Spec, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help", "help":
			if err := Help(stdout, spec); err != nil {
				return 1
			}
			return 0
		default:
			fmt.Fprintf(stderr, "%s: unknown argument %q; settings are environment variables (see %s --help)\n", spec.Name, a, spec.Name)
			return 2
		}
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil)) // each service names itself in its lines
	if err := Serve(ctx, spec, getenv, log); err != nil {
		log.Error(spec.Name+" stopped", "err", err)
		return 1
	}
	return 0
}

// Serve is Main without the process: it checks the settings (the service's own first,
// so a missing credential is reported before an unreachable bus), connects, serves the
// admin address and runs spec until ctx ends. A command that runs a service as one of
// its subcommands ("editor serve") calls it.
func Serve(ctx context.Context, spec Spec, getenv func(string) string, log *slog.Logger) error {
	conn := bus.ConnConfig{Name: spec.Name, Logger: log}
	var topo bus.Topology
	var addr string
	var errs []error
	if spec.Check != nil {
		errs = append(errs, spec.Check(getenv))
	}
	errs = append(errs, ProcessSettings(&conn, &topo, &addr).Load(getenv))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	c, err := bus.Connect(ctx, conn)
	if err != nil {
		return err
	}
	defer c.Close()
	m, err := admin.StartAdmin(ctx, addr, c, spec.Name, log)
	if err != nil {
		return err
	}
	err = spec.Run(ctx, Env{JS: c.JS, Getenv: getenv, Log: log, Observe: m.Observe, Sandbox: m.SetSandbox})
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
