package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/service"
)

// serve runs the editor service, staff.Spec, through service.Serve as service.Main runs
// every service alone, but until ctx ends rather than until a signal, and with the
// command line's getenv (which offers the local hub's key). The hub runs the same
// Spec().Run on its embedded bus.
func serve(ctx context.Context, env Env, args []string) error {
	spec := staff.Spec()
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help", "help":
			fmt.Fprintln(env.Stdout, "(run as: editor serve)")
			return service.Help(env.Stdout, spec)
		default:
			fmt.Fprintf(env.Stderr, "editor serve: unknown argument %q; settings are environment variables (see editor serve --help)\n", a)
			return ErrUsage
		}
	}
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	return service.Serve(ctx, spec, env.Getenv, log)
}
