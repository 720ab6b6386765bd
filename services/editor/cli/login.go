package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"
)

// loginCmd asks the editor for a login token with the member's password and TOTP
// code, as the login page does (same lockout, same audit), and keeps it in the token
// file for the other commands: what they do is recorded in the member's name.
func loginCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(fs, args, 1); err != nil {
		return err
	}
	name := strings.ToLower(args[0])
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	in := c.prompter()
	pw, err := in.secret(fmt.Sprintf("Password for %s: ", name))
	if err != nil {
		return fmt.Errorf("login: read the password: %w", err)
	}
	code, err := in.line("Code from the authenticator app: ")
	if err != nil {
		return fmt.Errorf("login: read the code: %w", err)
	}
	body, _ := json.Marshal(map[string]string{"name": name, "password": pw, "code": code})
	var out struct {
		Token   string    `json:"token"`
		Name    string    `json:"name"`
		Role    string    `json:"role"`
		Expires time.Time `json:"expires"`
	}
	if err := c.send(ctx, &cfg, http.MethodPost, "/api/login", "application/json", body, "", "", &out); err != nil {
		return fmt.Errorf("login %s: %w", name, err)
	}
	until := out.Expires.Local().Format(time.DateTime)
	if c.env.TokenFile == "" {
		fmt.Fprintf(c.env.Stdout, "export EDITOR_TOKEN=%s\n", out.Token)
		fmt.Fprintf(c.env.Stderr, "logged in as %s (%s) until %s; nowhere to keep the token, so set it as above\n", out.Name, out.Role, until)
		return nil
	}
	if err := writeSecret(c.env.TokenFile, out.Token); err != nil {
		return fmt.Errorf("login: keep the token: %w", err)
	}
	fmt.Fprintf(c.env.Stdout, "logged in as %s (%s) until %s; the token is in %s (only you can read it)\n", out.Name, out.Role, until, c.env.TokenFile)
	if c.env.Getenv("EDITOR_TOKEN") != "" || c.env.Getenv("EDITOR_TOKEN_FILE") != "" {
		fmt.Fprintln(c.env.Stderr, "note: EDITOR_TOKEN is set and comes first; unset it to act as "+out.Name)
	}
	return nil
}

// logoutCmd ends the kept login token on the editor and forgets it here.
func logoutCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(fs, args, 0); err != nil {
		return err
	}
	err := c.call(ctx, http.MethodPost, "/api/logout", "", nil, "", nil)
	if err != nil && statusOf(err) != http.StatusUnauthorized {
		return fmt.Errorf("logout: %w", err)
	}
	if c.env.TokenFile != "" {
		if rerr := os.Remove(c.env.TokenFile); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			return fmt.Errorf("logout: %w", rerr)
		}
	}
	fmt.Fprintln(c.env.Stdout, "logged out")
	return nil
}

// writeSecret writes a secret to path, readable by its owner only, whole or not at all.
func writeSecret(path, secret string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up after a failure
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(secret + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// prompter reads answers: without echo from a terminal, else one line each from
// standard input (a script).
type prompter struct {
	stderr io.Writer
	tty    *os.File
	r      *bufio.Reader
}

func (c *client) prompter() *prompter {
	p := &prompter{stderr: c.env.Stderr}
	if f, ok := c.env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = f
	} else if c.env.Stdin != nil {
		p.r = bufio.NewReader(c.env.Stdin)
	}
	return p
}

func (p *prompter) secret(prompt string) (string, error) {
	if p.tty == nil {
		return p.line("")
	}
	fmt.Fprint(p.stderr, prompt)
	b, err := term.ReadPassword(int(p.tty.Fd()))
	fmt.Fprintln(p.stderr)
	return string(b), err
}

func (p *prompter) line(prompt string) (string, error) {
	if p.tty != nil {
		fmt.Fprint(p.stderr, prompt)
		p.r = bufio.NewReader(p.tty)
		p.tty = nil // once switched to line reading, stay
	}
	if p.r == nil {
		return "", errors.New("give it on standard input, one line each")
	}
	s, err := p.r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	s = strings.TrimRight(s, "\r\n")
	if s == "" {
		return "", errors.New("empty: give it on standard input, one line each")
	}
	return s, nil
}
