package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// apiClient runs commands through the editor's JSON API (--api), so the editor checks
// roles, schedules future bulletins and writes the audit log.
type apiClient struct {
	base, token string
	http        *http.Client
}

// apiTimeout bounds one API call; a publish is quick, a slow answer is a problem.
const apiTimeout = 30 * time.Second

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

// call sends one request and decodes a JSON answer into out. An error answer becomes
// an error in the API's own words; with file set, problems are placed file:line: field.
func (a *apiClient) call(ctx context.Context, method, path, contentType string, body []byte, file string, out any) (int, error) {
	hc := a.http
	if hc == nil {
		hc = &http.Client{Timeout: apiTimeout}
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("api: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("api: %w (is the editor running at %s?)", err, a.base)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return 0, fmt.Errorf("api: %w", err)
	}
	if res.StatusCode >= 400 {
		var e apiErrorBody
		if json.Unmarshal(data, &e) != nil || e.Error.Message == "" {
			return res.StatusCode, fmt.Errorf("api: %s answered %s", a.base, res.Status)
		}
		if len(e.Error.Problems) > 0 && file != "" {
			var fes bulletin.Errors
			for _, p := range e.Error.Problems {
				fes = append(fes, &bulletin.FieldError{File: file, Line: p.Line, Field: p.Field, Msg: p.Message})
			}
			return res.StatusCode, fes
		}
		msg := e.Error.Message
		for _, p := range e.Error.Problems {
			msg += "\n  " + p.Field + ": " + p.Message
		}
		return res.StatusCode, fmt.Errorf("%s", msg)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return res.StatusCode, fmt.Errorf("api: unexpected answer: %w", err)
		}
	}
	return res.StatusCode, nil
}

func (a *apiClient) publish(ctx context.Context, path string, src []byte) (published, error) {
	var out struct {
		ID       string             `json:"id"`
		Revision *bulletin.Revision `json:"revision"`
		Changed  bool               `json:"changed"`
		Schedule *time.Time         `json:"scheduled"`
	}
	if _, err := a.call(ctx, http.MethodPost, "/api/bulletins?file="+url.QueryEscape(filepath.Base(path)), "text/markdown; charset=utf-8", src, path, &out); err != nil {
		return published{}, err
	}
	if out.Schedule != nil {
		return published{Scheduled: out.ID + " scheduled for " + out.Schedule.Format(bulletin.TimeLayout)}, nil
	}
	if out.Revision == nil {
		return published{}, fmt.Errorf("api: unexpected answer: no revision")
	}
	return published{Key: out.Revision.Key(), Changed: out.Changed}, nil
}

func (a *apiClient) status(ctx context.Context, id string) (*delivery.Status, int, error) {
	var st delivery.Status
	code, err := a.call(ctx, http.MethodGet, "/api/bulletins/"+url.PathEscape(id), "", nil, "", &st)
	return &st, code, err
}

func (a *apiClient) retract(ctx context.Context, id string) (string, int, error) {
	var out struct {
		Revision *bulletin.Revision `json:"revision"`
	}
	code, err := a.call(ctx, http.MethodPost, "/api/bulletins/"+url.PathEscape(id)+"/retract", "", nil, "", &out)
	if err != nil {
		return "", code, err
	}
	return out.Revision.Key(), code, nil
}

func (a *apiClient) retry(ctx context.Context, id, channel string) error {
	_, err := a.call(ctx, http.MethodPost, "/api/bulletins/"+url.PathEscape(id)+"/retry/"+url.PathEscape(channel), "", nil, "", nil)
	return err
}
