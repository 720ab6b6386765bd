// Command editor is the staff's tool for bulletins: "editor serve" runs the web UI and
// JSON API; the other commands publish, check, retract and re-drive bulletins and
// manage accounts and API tokens from a terminal. Run "editor --help".
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/paeria/pregoner/services/editor/cli"
	"github.com/paeria/pregoner/shared/bus"
)

// localHubKey is the key a hub started with the default -data writes for local tools, so
// that "go run ./services/editor ..." next to "go run ./services/hub" just works.
const localHubKey = "data/credentials/editor.nk"

// getenv is os.Getenv, except that without NATS credentials it offers the local hub's key.
func getenv(key string) string {
	v := os.Getenv(key)
	if key == "NATS_NKEY_SEED" && v == "" && os.Getenv("NATS_CREDS") == "" {
		if _, err := os.Stat(localHubKey); err == nil {
			return localHubKey
		}
	}
	return v
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Getenv: getenv,
		NATSURL: os.Getenv("NATS_URL"), User: os.Getenv("USER"),
		APIURL: os.Getenv("EDITOR_API_URL"), APIToken: os.Getenv("EDITOR_TOKEN")}
	if env.NATSURL == "" {
		env.NATSURL = bus.DefaultURL
	}
	err := cli.Run(ctx, env, os.Args[1:])
	switch {
	case err == nil:
	case errors.Is(err, cli.ErrUsage):
		os.Exit(2)
	case errors.Is(err, cli.ErrFailed):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "editor:", err)
		os.Exit(1)
	}
}
