package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/api"
)

// tokenCmd creates, lists and revokes automation tokens through the API, as the
// Accounts page does: an administrator's login token (or an admin-scope token) is
// needed, and the audit log names her.
func tokenCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	sub, name, err := subcommand(fs, args, "create", "list", "revoke")
	if err != nil {
		return err
	}
	if flagSet(fs, "role") {
		return fmt.Errorf("token %s: --role is now --scope publish|admin, with --owner MEMBER", sub)
	}
	switch sub {
	case "list":
		return tokenList(ctx, c)
	case "revoke":
		if err := accounts.CheckName(name); err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		if err := c.apiJSON(ctx, http.MethodDelete, "/api/tokens/"+url.PathEscape(name), nil, nil); err != nil {
			return fmt.Errorf("token revoke %s: %w", name, err)
		}
		fmt.Fprintf(c.env.Stdout, "token %s revoked\n", name)
		return nil
	}
	req, err := newTokenFlags(fs, name)
	if err != nil {
		return err
	}
	var out struct {
		Token   string    `json:"token"`
		Scope   string    `json:"scope"`
		Owner   string    `json:"owner"`
		Expires time.Time `json:"expires"`
	}
	if err := c.apiJSON(ctx, http.MethodPost, "/api/tokens", req, &out); err != nil {
		return fmt.Errorf("token create %s: %w", name, err)
	}
	fmt.Fprintln(c.env.Stdout, out.Token)
	fmt.Fprintf(c.env.Stderr, "token %s (scope %s, owner %s, expires %s) created; it is shown only now. Scripts use it as EDITOR_TOKEN=... (the audit log names it token:%s)\n",
		name, out.Scope, out.Owner, localTime(out.Expires), name)
	return nil
}

func tokenList(ctx context.Context, c *client) error {
	var out struct {
		Tokens []struct {
			accounts.Token
			ActsAs string `json:"acts_as"`
		} `json:"tokens"`
	}
	if err := c.apiJSON(ctx, http.MethodGet, "/api/tokens", nil, &out); err != nil {
		return fmt.Errorf("token list: %w", err)
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tOWNER\tSCOPE\tCREATED\tBY\tACTS AS\tEXPIRES\tLAST USED")
	for _, t := range out.Tokens {
		scope := string(t.Scope)
		if t.User != "" {
			scope = "login"
		} else if scope == "" {
			scope = "role " + string(t.Role) // made before scopes
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, orDash(cmp.Or(t.Owner, t.User)), scope, localTime(t.Created),
			orDash(t.CreatedBy), t.ActsAs, localTime(t.Expires), localTime(t.LastUsed))
	}
	return tw.Flush()
}

// tokenRequest is token create's request to the API.
type tokenRequest struct {
	Name    string `json:"name"`
	Owner   string `json:"owner"`
	Scope   string `json:"scope"`
	Expires string `json:"expires"`
}

// newTokenFlags reads token create's flags, and refuses what is wrong before the editor.
func newTokenFlags(fs *flag.FlagSet, name string) (tokenRequest, error) {
	if err := accounts.CheckName(name); err != nil {
		return tokenRequest{}, fmt.Errorf("token create: %w", err)
	}
	owner := fs.Lookup("owner").Value.String()
	if owner == "" {
		// A token needs a member answerable for it.
		return tokenRequest{}, fmt.Errorf("token create %s: say whose it is, e.g. --owner anna (it acts no more than its owner may, and goes with her account)", name)
	}
	scope, err := accounts.ParseScope(fs.Lookup("scope").Value.String())
	if err != nil {
		return tokenRequest{}, fmt.Errorf("token create %s: %w", name, err)
	}
	expires := fs.Lookup("expires").Value.String()
	if _, err := api.ParseLifetime(expires); err != nil {
		return tokenRequest{}, fmt.Errorf("token create %s: --expires %w", name, err)
	}
	return tokenRequest{Name: name, Scope: string(scope), Owner: strings.ToLower(owner), Expires: expires}, nil
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}
