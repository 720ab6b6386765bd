// Package cli is the editor's command line: the way staff and scripts publish, check,
// retract and re-drive bulletins from a terminal. Every command talks to the bus; none
// keeps state of its own.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
)

// Env is what a command needs from the process: its streams and how to reach the bus.
// main fills it from the environment; tests fill it by hand.
type Env struct {
	Stdout, Stderr io.Writer
	// NATSURL is the default for --nats (from NATS_URL).
	NATSURL string
	// User is the default author (from USER).
	User string
	// Dial connects to the bus; nil means bus.Connect.
	Dial func(ctx context.Context, url string) (*bus.Conn, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Stdin gives passwords to "user add"; nil means none.
	Stdin io.Reader
	// Getenv reads the editor service's settings for "serve" and the account
	// commands (see staff.LoadConfig); nil reads nothing.
	Getenv func(string) string
	// APIURL is the default for --api (from EDITOR_API_URL); APIToken the bearer token
	// used with it (from EDITOR_TOKEN).
	APIURL, APIToken string
}

// ErrUsage is returned for a command line that makes no sense; the usage was printed.
var ErrUsage = errors.New("usage")

// ErrFailed is returned when a command did part of its work and reported each failure.
var ErrFailed = errors.New("some items failed")

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error
	flags               func(fs *flag.FlagSet)
	api                 bool // works with --api
}

func roleFlag(def string) func(fs *flag.FlagSet) {
	return func(fs *flag.FlagSet) { fs.String("role", def, "role: writer, publisher or admin") }
}

func commands() []command {
	return []command{
		{"publish", "FILE.md...", "validate and publish bulletins; prints id@revision for each", publishCmd, nil, true},
		{"import", "DIR", "publish every .md file in DIR; unchanged files publish nothing", importCmd, nil, true},
		{"status", "ID", "show where bulletin ID stands on each channel", statusCmd, func(fs *flag.FlagSet) {
			fs.Bool("json", false, "print JSON instead of a table")
		}, true},
		{"retract", "ID", "withdraw bulletin ID from every channel", retractCmd, nil, true},
		{"retry", "ID CHANNEL", "send a dead delivery back to its channel", retryCmd, nil, true},
		{"serve", "", "run the editor's web UI and API (EDITOR_ADDR, default " + staff.DefaultAddr + ")", serveCmd, nil, false},
		{"user", "add|list|remove NAME", "manage staff accounts (password + TOTP); add prints the QR code", userCmd, roleFlag("writer"), false},
		{"token", "create|list|revoke NAME", "manage API tokens; create prints the token once", tokenCmd, roleFlag("publisher"), false},
	}
}

// Run runs one command line (without the program name) and returns its error; the
// error has already been reported to Stderr when it is ErrUsage or ErrFailed.
func Run(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return ErrUsage
		}
		return nil
	}
	for _, cmd := range commands() {
		if cmd.name != args[0] {
			continue
		}
		fs := flag.NewFlagSet("editor "+cmd.name, flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		natsURL := fs.String("nats", env.NATSURL, "NATS server URL (env NATS_URL)")
		apiURL := fs.String("api", env.APIURL, "use the editor's API at this URL instead of NATS, with the token in EDITOR_TOKEN (env EDITOR_API_URL)")
		author := fs.String("as", env.User, "author recorded with each revision (env USER)")
		if cmd.flags != nil {
			cmd.flags(fs)
		}
		fs.Usage = func() {
			fmt.Fprintf(env.Stderr, "usage: editor %s [flags] %s\n  %s\n\nflags:\n", cmd.name, cmd.args, cmd.summary)
			fs.PrintDefaults()
		}
		pos, err := parseInterspersed(fs, args[1:])
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		if err != nil {
			return ErrUsage
		}
		c := &client{env: env, url: *natsURL, author: *author}
		apiSet := false
		fs.Visit(func(f *flag.Flag) { apiSet = apiSet || f.Name == "api" })
		if *apiURL != "" && (cmd.api || apiSet) {
			if !cmd.api {
				fmt.Fprintf(env.Stderr, "editor %s: --api is not supported by this command; it talks to the bus\n", cmd.name)
				return ErrUsage
			}
			if env.APIToken == "" {
				fmt.Fprintln(env.Stderr, "editor: --api needs a token in EDITOR_TOKEN (an administrator creates one with: editor token create NAME)")
				return ErrUsage
			}
			c.api = &apiClient{base: strings.TrimRight(*apiURL, "/"), token: env.APIToken}
		}
		defer c.close()
		return cmd.run(ctx, c, fs, pos)
	}
	fmt.Fprintf(env.Stderr, "editor: unknown command %q\n\n", args[0])
	usage(env.Stderr)
	return ErrUsage
}

// parseInterspersed accepts flags before and after positional arguments, as in
// "editor status ID --json".
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "editor: publish and track the council's bulletins on every channel")
	fmt.Fprintln(w, "\nusage: editor COMMAND [flags] ARGS\n\ncommands:")
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-8s %-12s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --nats URL (default $NATS_URL, else "+bus.DefaultURL+").")
	fmt.Fprintln(w, "publish, import, status, retract and retry take --api URL to go through the editor's API instead (token in $EDITOR_TOKEN).")
	fmt.Fprintln(w, "Run 'editor COMMAND --help' for a command's flags.")
}

func wantArgs(fs *flag.FlagSet, args []string, n int) error {
	if len(args) == n {
		return nil
	}
	fs.Usage()
	return ErrUsage
}

func flagBool(fs *flag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && strings.EqualFold(f.Value.String(), "true")
}
