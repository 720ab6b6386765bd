// Package ui is the staff's web interface: server-rendered pages for the bulletin list
// with live delivery states, compose and edit with previews, a bulletin's history, the
// audit log and account administration. It needs no external asset: templates, style
// and the little JavaScript there is are embedded.
//
// Every page but the login page needs a session that passed password and TOTP.
package ui

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// CookieName is the session cookie. The __Host- prefix makes the browser refuse it
// unless it is Secure, has Path=/ and no Domain: no subdomain can plant or read it.
const CookieName = "__Host-pregoner-session"

// Options configure the UI.
type Options struct {
	Sessions accounts.SessionPolicy
	// Location is the time zone staff type times in (datetime-local fields).
	Location *time.Location
	Log      *slog.Logger
	// SessionCheck is how often a live event stream checks that its session is still
	// live (logout, expiry, the account's removal end it); 0 means DefaultSessionCheck.
	SessionCheck time.Duration
	// Stopping is closed when the server shuts down: live event streams end then, so
	// shutdown does not wait for them.
	Stopping <-chan struct{}
}

// DefaultSessionCheck: a stream outlives its session by at most this long.
const DefaultSessionCheck = 5 * time.Second

// Server serves the UI. It is safe for concurrent use.
type Server struct {
	acc   *accounts.Store
	desk  *desk.Desk
	audit *audit.Log
	opts  Options
	words *i18n.Catalogue
	// pages holds one template set per language and page, each with its language's
	// words bound in, so a request picks a ready set and nothing is shared mutably.
	pages map[i18n.Lang]map[string]*template.Template
	log   *slog.Logger
}

// New returns the UI server.
func New(acc *accounts.Store, d *desk.Desk, a *audit.Log, opts Options) (*Server, error) {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.SessionCheck <= 0 {
		opts.SessionCheck = DefaultSessionCheck
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	words, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	s := &Server{acc: acc, desk: d, audit: a, opts: opts, log: opts.Log, words: words, pages: map[i18n.Lang]map[string]*template.Template{}}
	for _, l := range i18n.Langs() {
		pages, err := s.parseTemplates(l)
		if err != nil {
			return nil, fmt.Errorf("ui: templates in %s: %w", l, err)
		}
		s.pages[l] = pages
	}
	return s, nil
}

// Register adds the UI's routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	static, _ := fs.Sub(assetFS, "assets") // the directory is embedded
	mux.Handle("GET /static/", http.StripPrefix("/static/", noListing(http.FileServerFS(static))))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /setup", s.setupPage)
	mux.HandleFunc("POST /setup/totp", s.setupTOTP)
	mux.HandleFunc("POST /setup/password", s.setupPassword)
	mux.HandleFunc("GET /first-run/{token}", s.firstRunPage)
	mux.HandleFunc("POST /first-run/{token}", s.firstRunChoose)
	mux.HandleFunc("POST /first-run/{token}/confirm", s.firstRunConfirm)
	mux.HandleFunc("POST /lang", s.setLang)
	mux.Handle("GET /{$}", s.auth(s.list))
	mux.Handle("GET /events", s.auth(s.events))
	mux.Handle("GET /compose", s.auth(s.composeNew))
	mux.Handle("POST /compose", s.authKeep(s.composePost))
	mux.Handle("POST /preview", s.auth(s.previewJSON))
	mux.Handle("GET /drafts/{id}", s.auth(s.withID(s.composeDraft)))
	mux.Handle("POST /drafts/{id}/delete", s.auth(s.withID(s.deleteDraft)))
	s.registerDrafts(mux)
	mux.Handle("GET /bulletins/{id}", s.auth(s.withID(s.detail)))
	mux.Handle("GET /bulletins/{id}/edit", s.auth(s.withID(s.composeEdit)))
	mux.Handle("GET /bulletins/{id}/retract", s.auth(s.withID(s.retractAsk)))
	mux.Handle("POST /bulletins/{id}/retract", s.auth(s.withID(s.retract)))
	mux.Handle("POST /bulletins/{id}/retry", s.auth(s.withID(s.retry)))
	mux.Handle("POST /bulletins/{id}/cancel-schedule", s.auth(s.withID(s.cancelSchedule)))
	mux.Handle("GET /audit", s.auth(s.auditPage))
	mux.Handle("GET /admin", s.auth(s.adminPage))
	mux.Handle("POST /admin/users", s.auth(s.addUser))
	mux.Handle("POST /admin/users/{name}/remove", s.auth(s.removeUser))
	mux.Handle("POST /admin/users/{name}/unlock", s.auth(s.unlockUser))
	mux.Handle("POST /admin/users/{name}/role", s.auth(s.setRole))
	mux.Handle("POST /admin/users/{name}/reset-totp", s.auth(s.resetTOTP))
	mux.Handle("POST /admin/users/{name}/force-password", s.auth(s.forcePassword))
	mux.Handle("POST /admin/tokens", s.auth(s.createToken))
	mux.Handle("POST /admin/tokens/{name}/revoke", s.auth(s.revokeToken))
}

// noListing answers 404 for a directory: the assets are named by the pages, never
// browsed.
func noListing(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// withID refuses a route whose {id} breaks the slug rule with a 400 that names the
// rule: such an id never reaches the desk, the bus or the audit log.
func (s *Server) withID(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, u *accounts.User) {
		if err := bulletin.CheckID(r.PathValue("id")); err != nil {
			s.fail(w, r, "message", page{Title: i18n.M("title.badaddress"), User: u}, err)
			return
		}
		h(w, r, u)
	}
}

// SecurityHeaders adds the headers every response of the editor carries: no framing,
// no external script or style, no sniffing, no referrer to other sites.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// page is what every template gets. Its words are messages, put in the reader's
// language when the page is rendered.
type page struct {
	Title i18n.Msg
	User  *accounts.User
	// Notice is a success message; Error a problem to act on.
	Notice, Error i18n.Msg
	Data          any
	// Sandbox lists the channels that deliver to a local sandbox: every page says so,
	// so nobody takes a sandbox delivery for one citizens saw.
	Sandbox []string
	// Attention is the needs-attention panel (attention.go), set by render.
	Attention []desk.Trouble
	// Set by render: the page's language, the address the language switch comes
	// back to, and the words the page's script shows.
	Lang  i18n.Lang
	Langs []i18n.Lang
	Back  string
	Words map[string]string
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Lang = s.langOf(r, p.User)
	p.Langs = i18n.Langs()
	p.Back = "/"
	if r.Method == http.MethodGet && isLocalPath(r.URL.RequestURI()) {
		p.Back = r.URL.RequestURI()
	}
	p.Words = s.scriptWords(p.Lang)
	t := s.pages[p.Lang][name]
	p.Sandbox = s.desk.Sandboxed()
	p.Attention = s.attention(r, p.User)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", string(p.Lang))
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout", p); err != nil {
		s.log.Error("render page", "page", name, "err", err)
	}
}

// fail shows err to the member in plain words, with the status that fits. Errors it
// does not know are logged and shown as a server problem.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, name string, p page, err error) {
	status, msg := explain(err, s.opts.Location)
	var inv *desk.InvalidError
	if name != "compose" && errors.As(err, &inv) {
		msg = i18n.M("error.notDone", i18n.Raw(s.problemList(s.langOf(r, p.User), inv.Problems)))
	}
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
	}
	p.Error = msg
	s.render(w, r, status, name, p)
}

// explain is the status and the sentence for err; every desk error carries its own
// message key, so none of their English reaches the page. Times are written in loc.
func explain(err error, loc *time.Location) (int, i18n.Msg) {
	var (
		inv  *desk.InvalidError
		forb *desk.ForbiddenError
		conf *desk.ConflictError
		nf   *desk.NotFoundError
		busy *desk.BusyError
	)
	switch {
	case errors.Is(err, bulletin.ErrBadID):
		return http.StatusBadRequest, i18n.M("error.badID")
	case errors.As(err, &inv):
		return http.StatusUnprocessableEntity, i18n.M("error.invalid")
	case errors.As(err, &forb):
		return http.StatusForbidden, i18n.M("error.forbidden", i18n.W("do", forb.Action), i18n.W("role", string(forb.Need)))
	case errors.As(err, &conf):
		return http.StatusConflict, i18n.M("error.conflict", conf.Msg(loc))
	case errors.As(err, &busy):
		return http.StatusConflict, i18n.M("error.notDone", busy.Msg())
	case errors.Is(err, desk.ErrDraftBusy):
		return http.StatusConflict, i18n.M("error.notDone", i18n.M("drafts.busy"))
	case errors.As(err, &nf):
		return http.StatusNotFound, i18n.M("error.notFound", nf.Msg())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, i18n.M("error.timeout")
	}
	return http.StatusInternalServerError, i18n.M("error.server")
}
