// Command editor is the staff's tool for bulletins. For now it is a command line:
// publish, import, status, retract, retry. Run "editor --help".
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/paeria/pregoner/services/editor/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, NATSURL: os.Getenv("NATS_URL"), User: os.Getenv("USER")}
	if env.NATSURL == "" {
		env.NATSURL = "nats://127.0.0.1:4222"
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
