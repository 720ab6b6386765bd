// Command editor is the staff's tool for bulletins: "editor serve" runs the editor
// service (web UI, JSON API, schedule runner); "editor login" and the other commands
// publish, check, retract and re-drive bulletins through that service's API, and "user",
// "token" and "keys rotate" manage accounts, API tokens and the TOTP key through it too
// (an administrator's login); only the first administrator is asked for on the bus, with
// the command line's own key. Run "editor --help".
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/paeria/pregoner/services/editor/cli"
)

// localHubKey is the command line's key (bus.UserCLI), which a hub started with the
// default -data writes, so that "go run ./services/editor user add" next to
// "go run ./services/hub" just works. It may only ask the editor to act.
const localHubKey = "data/credentials/cli.nk"

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

// tokenFile is where "editor login" keeps its token: the user's configuration
// directory, so it is theirs alone and found from any directory.
func tokenFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "" // login then prints the token instead
	}
	return filepath.Join(dir, "pregoner", "editor-token")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Getenv: getenv,
		TokenFile: tokenFile(), OSUser: os.Getenv("USER")}
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
