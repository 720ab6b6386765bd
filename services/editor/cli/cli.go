// Package cli is the editor's command line. Every command that changes a bulletin or a
// schedule — publish, import, retract, retry, schedule cancel — is a request to the
// editor's API with a token, so the editor checks it exactly as it checks the UI's and
// the API's (channel rules, role, schedules) and records the token's owner in the
// audit log: the command line has no way of its own onto the bus. "editor login" gets
// such a token for a member (password and TOTP code). "user add", which bootstraps the
// first administrator, is a request to the editor on the bus with the command line's
// own key (bus.UserCLI, which may do nothing else). The other account commands (user,
// token, keys rotate) are API requests too, with an administrator's token: only
// "serve", which is the editor, needs the editor's own key.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// Env is what a command needs from the process. main fills it; tests fill it by hand.
type Env struct {
	Stdout, Stderr io.Writer
	// Stdin gives passwords and codes to "user add" and "login"; nil means none.
	Stdin io.Reader
	// Getenv reads the settings: the command line's (see Settings), the bus's for the
	// first administrator and serve, the editor service's for serve. nil reads nothing.
	Getenv func(string) string
	// TokenFile is where "editor login" keeps its token and where the other commands
	// look for one when EDITOR_TOKEN is unset; "" keeps none (login prints it).
	TokenFile string
	// OSUser is the login name of the person at the terminal (from USER), recorded as
	// unverified context by the account commands; never used as an identity.
	OSUser string
	// HTTP calls the editor's API; nil means a client with a 30 s timeout.
	HTTP *http.Client
}

// ErrUsage is returned for a command line that makes no sense; the usage was printed.
var ErrUsage = errors.New("usage")

// ErrFailed is returned when a command did part of its work and reported each failure.
var ErrFailed = errors.New("some items failed")

// command is one of the editor's commands.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error
	flags               func(fs *flag.FlagSet)
}

func roleFlag(def string) func(fs *flag.FlagSet) {
	return func(fs *flag.FlagSet) { fs.String("role", def, "role: writer, publisher or admin") }
}

func tokenFlags(fs *flag.FlagSet) {
	fs.String("owner", "", "the member answerable for the token (required): it acts no more than she may, and goes with her account")
	fs.String("scope", string(accounts.ScopePublish), "what the token may do: publish or admin")
	fs.String("expires", "90d", "how long it works: days (90d) or hours (36h), at most 366d")
	fs.String("role", "", "no longer accepted: use --scope")
}

func commands() []command {
	return []command{
		{"publish", "FILE.md...", "check and publish bulletins (or schedule them, for a future publish_at); prints id@revision for each", publishCmd, nil},
		{"import", "DIR", "publish every .md file in DIR; unchanged files publish nothing", importCmd, nil},
		{"status", "ID", "show where bulletin ID stands on each channel", statusCmd, func(fs *flag.FlagSet) {
			fs.Bool("json", false, "print JSON instead of a table")
			fs.String("lang", "", "the table's language: ca, es or en (default: LC_ALL, LC_MESSAGES or LANG, else ca)")
		}},
		{"retract", "ID", "withdraw bulletin ID from every channel (and cancel its schedule)", retractCmd, nil},
		{"retry", "ID CHANNEL", "send a dead delivery back to its channel", retryCmd, nil},
		{"schedule", "list|cancel ID", "list the scheduled bulletins, or cancel one", scheduleCmd, nil},
		{"login", "NAME", "log in as NAME (password and TOTP code); keeps a token for the other commands", loginCmd, nil},
		{"logout", "", "end the login token kept by login", logoutCmd, nil},
		{"serve", "", "run the editor service: web UI, API and schedule runner (settings: editor serve --help)", nil, nil},
		{"user", "add|list|remove|unlock|role|reset-totp|force-password NAME", "manage staff accounts as an administrator (logged in): add --role R prints the new account's QR code, unlock forgets failed logins, role --role R changes the role, reset-totp and force-password make the next login set up a new second factor or password. Not logged in, add asks the editor for the first administrator (only while there is no account)", userCmd, roleFlag("admin")},
		{"token", "create|list|revoke NAME", "manage automation API tokens as an administrator (logged in); create --owner MEMBER [--scope publish|admin] [--expires 90d] prints the token once", tokenCmd, tokenFlags},
		{"keys", "init|rotate", "the key file that seals the TOTP secrets (EDITOR_SECRET_KEY_FILE): init creates it (on the editor's machine), rotate asks the editor to seal every account with a new key (an administrator, logged in)", keysCmd, nil},
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
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if args[0] == "serve" {
		return serve(ctx, env, args[1:]) // the service's own --help and settings
	}
	for _, cmd := range commands() {
		if cmd.name != args[0] {
			continue
		}
		fs := flag.NewFlagSet("editor "+cmd.name, flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		as := fs.String("as", "", "no longer accepted: the editor records the owner of the token")
		if cmd.flags != nil {
			cmd.flags(fs)
		}
		fs.Usage = func() {
			fmt.Fprintf(env.Stderr, "usage: editor %s [flags] %s\n  %s\n", cmd.name, cmd.args, cmd.summary)
			fmt.Fprintln(env.Stderr, "\nflags:")
			fs.VisitAll(func(f *flag.Flag) {
				if f.Name != "as" {
					fmt.Fprintf(env.Stderr, "  --%s\t%s\n", f.Name, f.Usage)
				}
			})
		}
		pos, err := parseInterspersed(fs, args[1:])
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		if err != nil {
			return ErrUsage
		}
		if *as != "" {
			fmt.Fprintf(env.Stderr, "editor %s: --as is gone: the editor records who owns the token (log in with: editor login NAME)\n", cmd.name)
			return ErrUsage
		}
		c := &client{env: env}
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
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %-24s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command but serve and keys init is a request to the editor at EDITOR_URL, with the")
	fmt.Fprintln(w, "token of 'editor login' (or EDITOR_TOKEN): the editor checks it as it checks the web UI's")
	fmt.Fprintln(w, "and records the token's owner; user, token and keys rotate need an administrator. Only the")
	fmt.Fprintln(w, "first administrator (user add, not logged in, no account yet) is asked for on the bus, with")
	fmt.Fprintln(w, "the command line's own key (the hub's data/credentials/cli.nk, or NATS_NKEY_SEED).")
	fmt.Fprintln(w, "\nSettings (environment variables):")
	var cfg Config
	_ = cfg.Settings().Help(w)
	fmt.Fprintln(w, "\nRun 'editor COMMAND --help' for a command's flags, 'editor serve --help' for the service's settings.")
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
