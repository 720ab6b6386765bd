package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"rsc.io/qr"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
)

// The account and token commands (user list|add|remove|unlock|role|reset-totp|
// force-password, token, keys rotate) are requests to the editor's API with a login
// token, as publish is: the editor checks the administrator's role, refuses what the
// Accounts page refuses and records the member, so the command line needs no key of
// the editor's. Only the first administrator, while the editor has no account, is a
// request on the bus with the command line's own key (cli.nk).

// busConfig reads the NATS_* settings for a connection named name (its bus user).
func (c *client) busConfig(name string) (bus.ConnConfig, error) {
	cfg := bus.ConnConfig{Name: name}
	var topo bus.Topology
	if err := bus.Settings(&cfg, &topo).Load(c.env.Getenv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// hasToken says whether the command has a login or automation token to send.
func (c *client) hasToken() bool {
	cfg, err := c.settings()
	return err == nil && cfg.Token != ""
}

// apiJSON calls the API with a JSON body (nil: none) and decodes the answer into out.
func (c *client) apiJSON(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	ct := ""
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
		ct = "application/json"
	}
	return c.call(ctx, method, path, ct, body, "", out)
}

// firstAdmin asks the editor, on the bus with the command line's key, to create the
// first administrator: the editor refuses while any account exists, makes the TOTP
// secret, records the request and answers the provisioning URI once.
func (c *client) firstAdmin(ctx context.Context, name, password string) (staff.CLIAnswer, error) {
	cfg, err := c.busConfig(bus.UserCLI)
	if err != nil {
		return staff.CLIAnswer{}, err
	}
	conn, err := bus.Connect(ctx, cfg)
	if errors.Is(err, nats.ErrAuthorization) {
		return staff.CLIAnswer{}, fmt.Errorf("%w (the bus wants the command line's key: set NATS_NKEY_SEED to the hub's <data>/credentials/cli.nk, or NATS_CREDS)", err)
	}
	if err != nil {
		return staff.CLIAnswer{}, fmt.Errorf("%w (is the hub running? start it with: go run ./services/hub)", err)
	}
	defer conn.Close()
	data, err := json.Marshal(staff.FirstAdminRequest{Name: name, Password: password, OSUser: c.env.OSUser})
	if err != nil {
		return staff.CLIAnswer{}, err
	}
	rctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	msg, err := conn.NC.RequestWithContext(rctx, bus.EditorFirstAdmin, data)
	if errors.Is(err, nats.ErrNoResponders) {
		return staff.CLIAnswer{}, errors.New("no editor answers on the bus: is the hub (or editor serve) running?")
	}
	if err != nil {
		return staff.CLIAnswer{}, fmt.Errorf("asking the editor: %w", err)
	}
	var ans staff.CLIAnswer
	if err := json.Unmarshal(msg.Data, &ans); err != nil {
		return staff.CLIAnswer{}, fmt.Errorf("the editor's answer: %w", err)
	}
	if ans.Error != "" {
		return ans, errors.New(ans.Error)
	}
	return ans, nil
}

// flagSet reports whether the command line gave flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func subcommand(fs *flag.FlagSet, args []string, subs ...string) (string, string, error) {
	if len(args) == 0 {
		fs.Usage()
		return "", "", ErrUsage
	}
	for _, s := range subs {
		if args[0] != s {
			continue
		}
		if s == "list" {
			return s, "", wantArgs(fs, args, 1)
		}
		if err := wantArgs(fs, args, 2); err != nil {
			return "", "", err
		}
		return s, strings.ToLower(args[1]), nil
	}
	fs.Usage()
	return "", "", ErrUsage
}

func userCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	sub, name, err := subcommand(fs, args, "add", "list", "remove", "unlock", "role", "reset-totp", "force-password")
	if err != nil {
		return err
	}
	if sub == "role" && !flagSet(fs, "role") {
		// The flag's default is for add: a role change must say which role.
		return fmt.Errorf("user role %s: say which, e.g. --role publisher", name)
	}
	role, err := accounts.ParseRole(fs.Lookup("role").Value.String())
	if err != nil {
		return fmt.Errorf("user %s: %w", sub, err)
	}
	if sub != "list" {
		if err := accounts.CheckName(name); err != nil {
			return fmt.Errorf("user %s: %w", sub, err)
		}
		name = accounts.NormalizeName(name)
	}
	path := "/api/users/" + url.PathEscape(name)
	switch sub {
	case "add":
		return userAdd(ctx, c, name, role)
	case "list":
		return userList(ctx, c)
	case "remove":
		if err := c.apiJSON(ctx, http.MethodDelete, path, nil, nil); err != nil {
			return fmt.Errorf("user remove %s: %w", name, err)
		}
		fmt.Fprintf(c.env.Stdout, "%s removed; their sessions are over\n", name)
	case "unlock":
		if err := c.apiJSON(ctx, http.MethodPost, path+"/unlock", nil, nil); err != nil {
			return fmt.Errorf("user unlock %s: %w", name, err)
		}
		fmt.Fprintf(c.env.Stdout, "%s: failed logins forgotten; they may log in now\n", name)
	case "role":
		var out struct {
			Was accounts.Role `json:"was"`
		}
		if err := c.apiJSON(ctx, http.MethodPost, path+"/role", map[string]string{"role": string(role)}, &out); err != nil {
			return fmt.Errorf("user role %s: %w", name, err)
		}
		fmt.Fprintf(c.env.Stdout, "%s is now %s (was %s), from their next request on\n", name, role, out.Was)
	case "reset-totp":
		if err := c.apiJSON(ctx, http.MethodPost, path+"/reset-totp", nil, nil); err != nil {
			return fmt.Errorf("user reset-totp %s: %w", name, err)
		}
		fmt.Fprintf(c.env.Stdout, "%s: second factor reset; their sessions are over. At their next login (web UI: password, empty code) they set up a new one from the QR code shown then\n", name)
	case "force-password":
		if err := c.apiJSON(ctx, http.MethodPost, path+"/force-password", nil, nil); err != nil {
			return fmt.Errorf("user force-password %s: %w", name, err)
		}
		fmt.Fprintf(c.env.Stdout, "%s: must choose a new password at their next login (web UI); their sessions are over\n", name)
	}
	return nil
}

func userList(ctx context.Context, c *client) error {
	var out struct {
		Users []struct {
			Name      string    `json:"name"`
			Role      string    `json:"role"`
			Created   time.Time `json:"created"`
			Failures  int       `json:"failures"`
			NotBefore time.Time `json:"not_before"`
		} `json:"users"`
	}
	if err := c.apiJSON(ctx, http.MethodGet, "/api/users", nil, &out); err != nil {
		return fmt.Errorf("user list: %w", err)
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tFAILURES\tWAITS UNTIL")
	for _, u := range out.Users {
		waits := "-"
		if time.Now().Before(u.NotBefore) {
			waits = localTime(u.NotBefore)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", u.Name, u.Role, localTime(u.Created), u.Failures, waits)
	}
	return tw.Flush()
}

// userAdd adds an account. Logged in (a token), it is the Accounts page's add, through
// the API, for any role; without a login only the first administrator can be asked
// for, on the bus with the command line's own key, and the editor refuses that once
// any account exists.
func userAdd(ctx context.Context, c *client, name string, role accounts.Role) error {
	loggedIn := c.hasToken()
	if !loggedIn && role != accounts.Admin {
		return fmt.Errorf("user add %s: without a login the command line creates only the first administrator (--role admin); log in as an administrator (editor login NAME) to add the others, or add them in the web UI (Accounts)", name)
	}
	pw, err := c.readPassword(name)
	if err != nil {
		return err
	}
	var uri string
	if loggedIn {
		var out struct {
			URI string `json:"totp_uri"`
		}
		if err := c.apiJSON(ctx, http.MethodPost, "/api/users", map[string]string{"name": name, "role": string(role), "password": pw}, &out); err != nil {
			return fmt.Errorf("user add %s: %w", name, err)
		}
		uri = out.URI
	} else {
		ans, err := c.firstAdmin(ctx, name, pw)
		if err != nil {
			return fmt.Errorf("user add %s: %w", name, err)
		}
		uri = ans.URI
	}
	fmt.Fprintf(c.env.Stdout, "%s added as %s.\n\nScan this with the authenticator app on %s's phone (shown only now):\n\n", name, role, name)
	writeQR(c.env.Stdout, uri)
	fmt.Fprintf(c.env.Stdout, "\nor enter this in the app:\n%s\n", uri)
	return nil
}

// readPassword reads the account's first password: without echo from a terminal, or
// the first line of standard input from a script.
func (c *client) readPassword(name string) (string, error) {
	pw, err := c.prompter().secret(fmt.Sprintf("Password for %s: ", name))
	if err != nil {
		return "", fmt.Errorf("user add: give the first password: %w", err)
	}
	return pw, nil
}

// writeQR draws text as a QR code with half blocks, two rows a line; light modules are
// drawn, so it scans on a dark terminal.
func writeQR(w io.Writer, text string) {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return
	}
	const quiet = 2
	light := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		return x < 0 || y < 0 || x >= code.Size || y >= code.Size || !code.Black(x, y)
	}
	n := code.Size + 2*quiet
	var b strings.Builder
	for y := 0; y < n; y += 2 {
		for x := range n {
			top, bottom := light(x, y), y+1 >= n || light(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprint(w, b.String())
}
