// Package api is the editor's JSON API for automation: the same operations as the web
// UI under /api/, authenticated with bearer tokens that an administrator creates and
// revokes. Errors come back as JSON with a stable code, a message for people and, for
// a bulletin that does not validate, the field (and line) of each problem.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
)

// Server serves the API. It is safe for concurrent use.
type Server struct {
	acc  *accounts.Store
	desk *desk.Desk
	// members manages accounts and tokens, as the UI's Accounts page does.
	members *desk.Members
	audit   *audit.Log
	log     *slog.Logger
	// loginFor is how long a login token lasts: as long as a UI session may.
	loginFor time.Duration
	// refused counts requests with a bad token, per source and minute: one event each
	// would let a script flood the audit log and push the real events out of view.
	refused *audit.Tally
	// words put error messages in the language a request asks for (words.go); nil
	// only if the catalogue failed to build, and then every answer is English.
	words *i18n.Catalogue
}

// New returns the API server; loginFor is how long a token from POST /api/login lasts.
func New(acc *accounts.Store, d *desk.Desk, a *audit.Log, log *slog.Logger, loginFor time.Duration) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	words, err := i18n.New()
	if err != nil {
		log.Error("api: messages stay in English", "err", err)
	}
	return &Server{acc: acc, desk: d, members: desk.NewMembers(acc, a, log), audit: a, log: log, loginFor: loginFor,
		refused: a.Tally(audit.TokenRefused, "requests with an unknown, revoked or expired API token"), words: words}
}

// Background writes the count of refused tokens to the audit log each minute, and what
// it still holds when ctx ends: run it for as long as the server serves.
func (s *Server) Background(ctx context.Context) { s.refused.Run(ctx, s.log) }

// CLIAgent starts the User-Agent of the editor's command line. It only sets the door
// ("cli" rather than "api") in the audit log; who acts is always the token's.
const CLIAgent = "pregoner-editor-cli"

// via is the door a request came through.
func via(r *http.Request) string {
	if strings.HasPrefix(r.UserAgent(), CLIAgent) {
		return "cli"
	}
	return "api"
}

type handler func(w http.ResponseWriter, r *http.Request, a desk.Actor)

// Register adds the API's routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("GET /api/bulletins", s.auth(s.list))
	mux.Handle("POST /api/bulletins", s.auth(s.publish))
	mux.Handle("POST /api/preview", s.auth(s.preview))
	mux.Handle("GET /api/bulletins/{id}", s.auth(withID(s.status)))
	mux.Handle("GET /api/bulletins/{id}/history", s.auth(withID(s.history)))
	mux.Handle("POST /api/bulletins/{id}/retract", s.auth(withID(s.retract)))
	mux.Handle("POST /api/bulletins/{id}/retry/{channel}", s.auth(withID(s.retry)))
	mux.Handle("GET /api/schedules", s.auth(s.schedules))
	mux.Handle("DELETE /api/schedules/{id}", s.auth(withID(s.cancelSchedule)))
	mux.Handle("GET /api/audit", s.auth(s.auditLog))
	mux.Handle("GET /api/drafts", s.auth(s.drafts))
	mux.Handle("GET /api/drafts/{id}", s.auth(withID(s.draftsOf)))
	mux.Handle("GET /api/drafts/{id}/{author}", s.auth(withID(s.draftBy)))
	mux.Handle("PUT /api/drafts/{id}", s.auth(withID(s.saveDraft)))
	mux.Handle("DELETE /api/drafts/{id}", s.auth(withID(s.deleteDraft)))
	mux.Handle("DELETE /api/drafts/{id}/{author}", s.auth(withID(s.deleteDraft)))
	mux.Handle("POST /api/drafts/{id}/{author}/ready", s.auth(withID(s.markReady)))
	mux.Handle("POST /api/drafts/{id}/{author}/take-over", s.auth(withID(s.takeOver)))
	mux.Handle("GET /api/users", s.auth(s.listUsers))
	mux.Handle("POST /api/users", s.auth(s.addUser))
	mux.Handle("DELETE /api/users/{name}", s.auth(accountName(s.removeUser)))
	mux.Handle("POST /api/users/{name}/unlock", s.auth(accountName(s.unlockUser)))
	mux.Handle("POST /api/users/{name}/role", s.auth(accountName(s.setRole)))
	mux.Handle("POST /api/users/{name}/reset-totp", s.auth(accountName(s.resetTOTP)))
	mux.Handle("POST /api/users/{name}/force-password", s.auth(accountName(s.forcePassword)))
	mux.Handle("GET /api/tokens", s.auth(s.listTokens))
	mux.Handle("POST /api/tokens", s.auth(s.createToken))
	mux.Handle("DELETE /api/tokens/{name}", s.auth(accountName(s.revokeToken)))
	mux.Handle("POST /api/keys/rotate", s.auth(s.rotateKey))
	mux.HandleFunc("POST /api/login", s.login)
	mux.Handle("POST /api/logout", s.auth(s.logout))
	mux.Handle("/api/", s.auth(func(w http.ResponseWriter, r *http.Request, _ desk.Actor) {
		writeError(w, http.StatusNotFound, "not_found", "no such API endpoint: "+r.Method+" "+r.URL.Path, nil)
	}))
}

// auth accepts only a valid bearer token.
func (s *Server) auth(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearer(r.Header.Get("Authorization"))
		if !ok || secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pregoner"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "send an API token: Authorization: Bearer <token> (an administrator creates one with: editor token create NAME --owner MEMBER)", nil)
			return
		}
		t, u, err := s.acc.LookupToken(r.Context(), strings.TrimSpace(secret))
		if errors.Is(err, accounts.ErrBadToken) {
			if err := s.refused.Add(r.Context(), via(r), accounts.ClientKey(r.RemoteAddr)); err != nil {
				s.log.Error("audit log write failed", "action", audit.TokenRefused, "err", err)
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="pregoner", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid_token", "this API token is unknown, was revoked or has expired; log in again (editor login NAME), or ask an administrator for a new one", nil)
			return
		}
		if err != nil {
			s.fail(w, err)
			return
		}
		// The desk checks this role on every operation, so a token's scope, capped by
		// its owner's role now, is enforced where every door's role is.
		a := desk.Actor{Name: t.Actor(), Role: t.Acting(u), Via: via(r), Remote: r.RemoteAddr}
		r = r.WithContext(context.WithValue(r.Context(), tokenKey{}, presented{strings.TrimSpace(secret), t}))
		h(s.speak(w, r), r, a)
	})
}

// tokenKey holds the request's token (a presented) in its context, for logout.
type tokenKey struct{}

type presented struct {
	secret string
	token  *accounts.Token
}

// withID answers 400, naming the rule, when the route's {id} breaks the slug rule: such
// an id never reaches the desk, the bus or the audit log.
func withID(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, a desk.Actor) {
		if err := bulletin.CheckID(r.PathValue("id")); err != nil {
			writeError(w, http.StatusBadRequest, "bad_id", err.Error(), nil)
			return
		}
		h(w, r, a)
	}
}

// apiError is the body of every error response.
type apiError struct {
	Error struct {
		Code     string         `json:"code"`
		Message  string         `json:"message"`
		Problems []desk.Problem `json:"problems,omitempty"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string, problems []desk.Problem) {
	var e apiError
	e.Error.Code, e.Error.Message, e.Error.Problems = code, msg, problems
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// fail maps an error to its response, in one place.
func (s *Server) fail(w http.ResponseWriter, err error) {
	var (
		inv  *desk.InvalidError
		forb *desk.ForbiddenError
		conf *desk.ConflictError
		nf   *desk.NotFoundError
		busy *desk.BusyError
		mbe  *http.MaxBytesError
	)
	switch {
	case errors.Is(err, bulletin.ErrBadID):
		writeError(w, http.StatusBadRequest, "bad_id", s.said(w, err.Error(), i18n.M("error.badID")), nil)
	case errors.As(err, &inv):
		writeError(w, http.StatusUnprocessableEntity, "invalid", s.said(w, "not done: fix each problem and try again", i18n.M("error.invalid")), s.inWords(w, inv.Problems))
	case errors.As(err, &forb):
		writeError(w, http.StatusForbidden, "forbidden", s.said(w, forb.Error(), i18n.M("error.forbidden", i18n.W("do", forb.Action), i18n.W("role", string(forb.Need)))), nil)
	case errors.As(err, &conf):
		writeError(w, http.StatusConflict, "conflict", s.said(w, conf.Error(), conf.Msg(time.Local)), nil)
	case errors.As(err, &busy):
		writeError(w, http.StatusConflict, "busy", s.said(w, busy.Error(), busy.Msg()), nil)
	case errors.As(err, &nf):
		writeError(w, http.StatusNotFound, "not_found", s.said(w, nf.Error(), i18n.M("error.notFound", nf.Msg())), nil)
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "the request is larger than a bulletin may be", nil)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, "unavailable", s.said(w, "the server took too long; nothing was lost, try again", i18n.M("error.timeout")), nil)
	default:
		s.log.Error("api request failed", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", s.said(w, "something went wrong on the server (logged); try again, and tell IT if it persists", i18n.M("error.server")), nil)
	}
}

// maxRequest bounds a request body: a bulletin file and some JSON around it.
const maxRequest = bulletin.MaxSize*2 + 4096

// publishRequest is the JSON form of a publish: the Markdown file, or its fields.
type publishRequest struct {
	Markdown string       `json:"markdown"`
	Fields   *desk.Fields `json:"fields"`
	// New refuses an id that is already published; BaseRev refuses when the bulletin
	// changed since that revision.
	New     bool `json:"new"`
	BaseRev int  `json:"base_rev"`
	// DraftOf names whose draft this publishes (see desk.Intent.DraftOf).
	DraftOf string `json:"draft_of,omitempty"`
	// DraftRev is that draft's "rev" as read: it is removed only if still at it (see
	// desk.Intent.DraftRev); a draft changed since is kept and named in kept_drafts.
	DraftRev uint64 `json:"draft_rev,omitempty"`
}

// source reads a bulletin from the body: text/markdown is the file itself.
func source(r *http.Request) ([]byte, desk.Intent, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxRequest))
	if err != nil {
		return nil, desk.Intent{}, err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	// ?file=NAME.md gives the file name, whose stem is the id when the front matter has none.
	in := desk.Intent{New: r.URL.Query().Get("new") == "true", File: path.Base(r.URL.Query().Get("file"))}
	if in.File == "." || in.File == "/" {
		in.File = ""
	}
	switch mt {
	case "text/markdown", "text/plain":
		return body, in, nil
	case "application/json":
		var req publishRequest
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, in, &desk.InvalidError{Problems: []desk.Problem{{Field: "", Message: "the JSON does not parse: " + err.Error() + ` (want {"markdown": "..."} or {"fields": {...}})`}}}
		}
		in = desk.Intent{New: req.New || in.New, BaseRev: req.BaseRev, File: in.File, DraftOf: req.DraftOf, DraftRev: req.DraftRev}
		if req.Fields != nil {
			return req.Fields.Source(), in, nil
		}
		if req.Markdown == "" {
			return nil, in, &desk.InvalidError{Problems: []desk.Problem{{Field: "markdown", Message: "empty: send the bulletin file as \"markdown\", or its \"fields\""}}}
		}
		return []byte(req.Markdown), in, nil
	}
	return nil, in, &desk.InvalidError{Problems: []desk.Problem{{Field: "Content-Type", Message: "send text/markdown (the bulletin file) or application/json"}}}
}

// bearer is the token of an Authorization header: the scheme is case-insensitive
// (RFC 9110, 11.1), the token is not.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
