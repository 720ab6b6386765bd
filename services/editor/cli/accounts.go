package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"rsc.io/qr"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
)

// BusActor is who the audit log names for the account commands: they act with the
// bus key, which the editor cannot tie to a person (the first administrator has no
// account to log in with yet). The OS user goes in the detail, marked unverified.
const BusActor = "(bus key)"

// connect dials the bus with the NATS_* settings, for the account commands.
func (c *client) connect(ctx context.Context) error {
	if c.conn != nil {
		return nil
	}
	cfg := bus.ConnConfig{Name: "editor-cli"}
	var topo bus.Topology
	if err := bus.Settings(&cfg, &topo).Load(c.env.Getenv); err != nil {
		return err
	}
	conn, err := bus.Connect(ctx, cfg)
	if errors.Is(err, nats.ErrAuthorization) {
		return fmt.Errorf("%w (the bus wants a key: set NATS_NKEY_SEED to the hub's <data>/credentials/editor.nk, or NATS_CREDS)", err)
	}
	if err != nil {
		return fmt.Errorf("%w (is the hub running? start it with: go run ./services/hub)", err)
	}
	c.conn = conn
	return nil
}

func (c *client) accounts(ctx context.Context) (*accounts.Store, *audit.Log, error) {
	cfg, err := staff.LoadConfig(c.secretGetenv)
	if err != nil {
		return nil, nil, err
	}
	if err := c.connect(ctx); err != nil {
		return nil, nil, err
	}
	return staff.OpenAccounts(ctx, cfg, c.conn.JS)
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
		if err := accounts.CheckName(name); err != nil {
			return fmt.Errorf("user add: %w", err)
		}
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
	pw, err := c.readPassword(name)
	if err != nil {
		return err
	}
	na, err := acc.AddUser(ctx, name, role, pw, BusActor)
	c.audit(ctx, al, audit.UserAdd, name, err)
	if err != nil {
		return fmt.Errorf("user add %s: %w", name, err)
	}
	fmt.Fprintf(c.env.Stdout, "%s added as %s.\n\nScan this with the authenticator app on %s's phone (shown only now):\n\n", name, role, name)
	writeQR(c.env.Stdout, na.URI)
	fmt.Fprintf(c.env.Stdout, "\nor enter this in the app:\n%s\n", na.URI)
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
