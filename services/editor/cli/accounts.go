package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"rsc.io/qr"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
)

// BusActor is who the audit log names for the account commands that act on the bus with
// the editor's own key (user list|remove|unlock|role|reset-totp|force-password, token,
// keys rotate): the editor cannot tie that key to a person. The OS user goes in the
// detail, marked unverified. "user add" is the editor's own act, audited by it as
// staff.CLIActor.
const BusActor = "(bus key)"

// localHubCLIKey is the command line's key a hub started with the default -data writes
// (bus.UserCLI): it may only ask the editor to act.
const localHubCLIKey = "data/credentials/cli.nk"

// busConfig reads the NATS_* settings for a connection named name (its bus user).
func (c *client) busConfig(name string) (bus.ConnConfig, error) {
	cfg := bus.ConnConfig{Name: name}
	var topo bus.Topology
	if err := bus.Settings(&cfg, &topo).Load(c.env.Getenv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// connect dials the bus with the NATS_* settings and the editor's own key, for the
// account commands other than "user add".
func (c *client) connect(ctx context.Context) error {
	if c.conn != nil {
		return nil
	}
	cfg, err := c.busConfig("editor-cli")
	if err != nil {
		return err
	}
	if filepath.Base(cfg.NkeySeedFile) == filepath.Base(localHubCLIKey) {
		return errors.New(editorKeyHint)
	}
	conn, err := bus.Connect(ctx, cfg)
	if errors.Is(err, nats.ErrAuthorization) {
		return fmt.Errorf("%w (the bus wants a key: set NATS_NKEY_SEED to the editor's, the hub's <data>/credentials/editor.nk, or NATS_CREDS)", err)
	}
	if err != nil {
		return fmt.Errorf("%w (is the hub running? start it with: go run ./services/hub)", err)
	}
	c.conn = conn
	return nil
}

// editorKeyHint says why the command line's own key cannot run an account command.
const editorKeyHint = "this command works on the editor's account buckets and needs the editor's own bus key " +
	"(NATS_NKEY_SEED=<data>/credentials/editor.nk, on the editor's machine); the command line's key " +
	"(cli.nk) may only ask the editor to act. An administrator manages accounts and tokens in the web UI (Accounts, Tokens)"

func (c *client) accounts(ctx context.Context) (*accounts.Store, *audit.Log, error) {
	cfg, err := staff.LoadConfig(c.secretGetenv)
	if err != nil {
		return nil, nil, err
	}
	if err := c.connect(ctx); err != nil {
		return nil, nil, err
	}
	acc, al, err := staff.OpenAccounts(ctx, cfg, c.conn.JS)
	if errors.Is(err, nats.ErrPermissionViolation) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
		return nil, nil, fmt.Errorf("%w (%s)", err, editorKeyHint)
	}
	return acc, al, err
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

func (c *client) audit(ctx context.Context, al *audit.Log, action, target string, err error) {
	c.auditDetail(ctx, al, action, target, "", err)
}

// auditDetail is audit with what changed, before the OS user.
func (c *client) auditDetail(ctx context.Context, al *audit.Log, action, target, detail string, err error) {
	e := audit.Event{Actor: BusActor, Via: "cli", Action: action, Target: target, OK: err == nil, Detail: detail}
	if c.env.OSUser != "" {
		e.Detail = strings.TrimPrefix(e.Detail+"; ", "; ") + "OS user " + c.env.OSUser + " (not verified)"
	}
	if err != nil {
		e.Detail = strings.TrimPrefix(e.Detail+"; ", "; ") + err.Error()
	}
	if aerr := al.Record(ctx, e); aerr != nil {
		fmt.Fprintln(c.env.Stderr, "warning: could not write the audit log:", aerr)
	}
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
	if sub == "add" {
		return userAdd(ctx, c, name, role)
	}
	acc, al, err := c.accounts(ctx)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		users, err := acc.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tFAILURES\tWAITS UNTIL")
		for _, u := range users {
			waits := "-"
			if time.Now().Before(u.NotBefore) {
				waits = u.NotBefore.Local().Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", u.Name, u.Role, u.Created.Local().Format(time.DateTime), u.Failures, waits)
		}
		return tw.Flush()
	case "remove":
		err := acc.RemoveUser(ctx, name)
		c.audit(ctx, al, audit.UserRemove, name, err)
		if errors.Is(err, accounts.ErrNotFound) {
			return fmt.Errorf("user remove %s: no such account", name)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stdout, "%s removed; their sessions are over\n", name)
		return nil
	case "unlock":
		err := acc.Unlock(ctx, name)
		c.audit(ctx, al, audit.UserUnlock, name, err)
		if errors.Is(err, accounts.ErrNotFound) {
			return fmt.Errorf("user unlock %s: no such account", name)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stdout, "%s: failed logins forgotten; they may log in now\n", name)
		return nil
	case "reset-totp", "force-password":
		return resetCmd(ctx, c, acc, al, sub, name)
	case "role":
		was, err := acc.SetRole(ctx, name, role)
		c.auditDetail(ctx, al, audit.UserRole, name, string(was)+" → "+string(role), err)
		if errors.Is(err, accounts.ErrNotFound) {
			return fmt.Errorf("user role %s: no such account", name)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stdout, "%s is now %s (was %s), from their next request on\n", name, role, was)
		return nil
	}
	return nil
}

// userAdd creates the first administrator: a request to the editor, which refuses while
// any account exists (from then on an administrator adds accounts in the web UI).
func userAdd(ctx context.Context, c *client, name string, role accounts.Role) error {
	if err := accounts.CheckName(name); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	if role != accounts.Admin {
		return fmt.Errorf("user add %s: the command line creates only the first administrator (--role admin); an administrator adds the other accounts in the web UI (Accounts)", name)
	}
	pw, err := c.readPassword(name)
	if err != nil {
		return err
	}
	ans, err := c.firstAdmin(ctx, name, pw)
	if err != nil {
		return fmt.Errorf("user add %s: %w", name, err)
	}
	fmt.Fprintf(c.env.Stdout, "%s added as %s.\n\nScan this with the authenticator app on %s's phone (shown only now):\n\n", name, role, name)
	writeQR(c.env.Stdout, ans.URI)
	fmt.Fprintf(c.env.Stdout, "\nor enter this in the app:\n%s\n", ans.URI)
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

func tokenCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	sub, name, err := subcommand(fs, args, "create", "list", "revoke")
	if err != nil {
		return err
	}
	if flagSet(fs, "role") {
		return fmt.Errorf("token %s: --role is now --scope publish|admin, with --owner MEMBER", sub)
	}
	var nt accounts.NewToken
	if sub == "create" {
		if nt, err = newTokenFlags(fs, name); err != nil {
			return err
		}
	}
	acc, al, err := c.accounts(ctx)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		toks, err := acc.Tokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tOWNER\tSCOPE\tCREATED\tBY\tACTS AS\tEXPIRES\tLAST USED")
		for _, t := range toks {
			scope := string(t.Scope)
			if t.User != "" {
				scope = "login"
			} else if scope == "" {
				scope = "role " + string(t.Role) // made before scopes
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, orDash(cmp.Or(t.Owner, t.User)), scope, localTime(t.Created),
				orDash(t.CreatedBy), t.Actor(), localTime(t.Expires), localTime(t.LastUsed))
		}
		return tw.Flush()
	case "revoke":
		err := acc.RevokeToken(ctx, name)
		c.audit(ctx, al, audit.TokenRevoke, name, err)
		if errors.Is(err, accounts.ErrNotFound) {
			return fmt.Errorf("token revoke %s: no such token", name)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stdout, "token %s revoked\n", name)
		return nil
	}
	nt.By = BusActor
	secret, t, err := acc.CreateToken(ctx, nt)
	c.audit(ctx, al, audit.TokenCreate, name, err)
	if err != nil {
		return fmt.Errorf("token create %s: %w", name, err)
	}
	fmt.Fprintln(c.env.Stdout, secret)
	fmt.Fprintf(c.env.Stderr, "token %s (scope %s, owner %s, expires %s) created; it is shown only now. Scripts use it as EDITOR_TOKEN=... (the audit log names it token:%s)\n",
		name, t.Scope, t.Owner, localTime(t.Expires), name)
	return nil
}

// newTokenFlags reads token create's flags.
func newTokenFlags(fs *flag.FlagSet, name string) (accounts.NewToken, error) {
	owner := fs.Lookup("owner").Value.String()
	if owner == "" {
		// The bus key stands for nobody: the token needs a member answerable for it.
		return accounts.NewToken{}, fmt.Errorf("token create %s: say whose it is, e.g. --owner anna (it acts no more than its owner may, and goes with her account)", name)
	}
	scope, err := accounts.ParseScope(fs.Lookup("scope").Value.String())
	if err != nil {
		return accounts.NewToken{}, fmt.Errorf("token create %s: %w", name, err)
	}
	ttl, err := parseExpiry(fs.Lookup("expires").Value.String())
	if err != nil {
		return accounts.NewToken{}, fmt.Errorf("token create %s: --expires %w", name, err)
	}
	return accounts.NewToken{Name: name, Scope: scope, Owner: strings.ToLower(owner), TTL: ttl}, nil
}

// parseExpiry reads a lifetime: days ("90d") or a Go duration ("36h").
func parseExpiry(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("%q: not a number of days (want e.g. 90d or 36h)", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q: not a lifetime (want e.g. 90d or 36h)", v)
	}
	return d, nil
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}

// resetCmd resets an account's second factor, or makes its next login choose a new
// password; either ends its sessions and login tokens at once.
func resetCmd(ctx context.Context, c *client, acc *accounts.Store, al *audit.Log, sub, name string) error {
	action, do, done := audit.UserTOTPReset, acc.ResetTOTP,
		"second factor reset; their sessions are over. At their next login (web UI: password, empty code) they set up a new one from the QR code shown then"
	if sub == "force-password" {
		action, do, done = audit.UserPasswordForce, acc.ForcePasswordChange,
			"must choose a new password at their next login (web UI); their sessions are over"
	}
	err := do(ctx, name)
	c.audit(ctx, al, action, name, err)
	if errors.Is(err, accounts.ErrNotFound) {
		return fmt.Errorf("user %s %s: no such account", sub, name)
	}
	if err != nil {
		return fmt.Errorf("user %s %s: %w", sub, name, err)
	}
	fmt.Fprintf(c.env.Stdout, "%s: %s\n", name, done)
	return nil
}
