package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/api"
	"github.com/paeria/pregoner/shared/bulletin"
)

// client is one command's way to the editor: its API (and, for the first
// administrator only, the bus with the command line's own key). It connects on first
// use, so "--help" and bad arguments need no server.
type client struct {
	env Env
	cfg *Config
}

// apiTimeout bounds one API call; a publish is quick, a slow answer is a problem.
const apiTimeout = 30 * time.Second

// agent marks the command line's requests, so the audit log says "cli".
const agent = api.CLIAgent + "/1"

type apiProblem struct {
	Field   string `json:"field"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

type apiErrorBody struct {
	Error struct {
		Code     string       `json:"code"`
		Message  string       `json:"message"`
		Problems []apiProblem `json:"problems"`
	} `json:"error"`
}

// apiError is an error answer of the editor, in its own words.
type apiError struct {
	Status int
	Code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// stopError is a failure that holds for every item of a command, not just the one it
// happened on (no token, no editor, a token or role it refuses): import stops there.
type stopError struct{ error }

func (e stopError) Unwrap() error { return e.error }

// fatal reports a stopError.
func fatal(err error) bool {
	var s stopError
	return errors.As(err, &s)
}

// settings loads the command line's settings once.
func (c *client) settings() (*Config, error) {
	if c.cfg != nil {
		return c.cfg, nil
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return nil, err
	}
	c.cfg = &cfg
	return c.cfg, nil
}

// call sends one request with the token and decodes a JSON answer into out. An error
// answer becomes an error in the editor's words; with file set, problems are placed
// file:line: field, as bulletin.Parse places them.
func (c *client) call(ctx context.Context, method, path, contentType string, body []byte, file string, out any) error {
	cfg, err := c.settings()
	if err != nil {
		return stopError{err}
	}
	if cfg.Token == "" {
		return stopError{errNoToken}
	}
	return c.send(ctx, cfg, method, path, contentType, body, cfg.Token, file, out)
}

func (c *client) send(ctx context.Context, cfg *Config, method, path, contentType string, body []byte, token, file string, out any) error {
	hc := c.env.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: apiTimeout}
	}
	req, err := http.NewRequestWithContext(ctx, method, cfg.URL+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	req.Header.Set("User-Agent", agent)
	if l, ok := terminalLang(c.env.Getenv); ok {
		// The editor's problems in the terminal's language (LC_ALL, LANG...), when it
		// speaks it; without one the API answers in English, as this command does.
		req.Header.Set("Accept-Language", string(l))
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := hc.Do(req)
	if err != nil {
		return stopError{fmt.Errorf("%w (is the editor running at %s? start it with: go run ./services/hub, or set EDITOR_URL)", err, cfg.URL)}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	if res.StatusCode >= 400 {
		err := answerError(res, data, cfg.URL, file)
		if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
			return stopError{err}
		}
		return err
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("api: unexpected answer: %w", err)
		}
	}
	return nil
}

func answerError(res *http.Response, data []byte, base, file string) error {
	var e apiErrorBody
	if json.Unmarshal(data, &e) != nil || e.Error.Message == "" {
		return &apiError{Status: res.StatusCode, msg: fmt.Sprintf("%s answered %s: is EDITOR_URL the editor?", base, res.Status)}
	}
	if len(e.Error.Problems) > 0 && file != "" {
		var fes bulletin.Errors
		for _, p := range e.Error.Problems {
			fes = append(fes, &bulletin.FieldError{File: file, Line: p.Line, Field: p.Field, Msg: p.Message})
		}
		return fes
	}
	// The problems say what is wrong in the desk's own words; the envelope's message
	// only says that there are some.
	msg := e.Error.Message
	if len(e.Error.Problems) > 0 {
		parts := make([]string, len(e.Error.Problems))
		for i, p := range e.Error.Problems {
			parts[i] = p.Message
			if p.Field != "" {
				parts[i] = p.Field + ": " + p.Message
			}
		}
		msg = strings.Join(parts, "; ")
	}
	return &apiError{Status: res.StatusCode, Code: e.Error.Code, msg: msg}
}

// statusOf is the HTTP status of an editor's error answer, or 0.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

func (c *client) close() {}
