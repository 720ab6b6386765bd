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
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
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
	// Stopping is closed when the server shuts down: live event streams end then, so
	// shutdown does not wait for them.
	Stopping <-chan struct{}
}

// Server serves the UI. It is safe for concurrent use.
type Server struct {
	acc   *accounts.Store
	desk  *desk.Desk
	audit *audit.Log
	opts  Options
	pages map[string]*template.Template
	log   *slog.Logger
}

// New returns the UI server.
func New(acc *accounts.Store, d *desk.Desk, a *audit.Log, opts Options) (*Server, error) {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{acc: acc, desk: d, audit: a, opts: opts, log: opts.Log}
	pages, err := s.parseTemplates()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	return s, nil
}

// Register adds the UI's routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	static, _ := fs.Sub(assetFS, "assets") // the directory is embedded
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.Handle("GET /{$}", s.auth(s.list))
	mux.Handle("GET /events", s.auth(s.events))
	mux.Handle("GET /compose", s.auth(s.composeNew))
	mux.Handle("POST /compose", s.authKeep(s.composePost))
	mux.Handle("POST /preview", s.auth(s.previewJSON))
	mux.Handle("GET /drafts/{id}", s.auth(s.withID(s.composeDraft)))
	mux.Handle("POST /drafts/{id}/delete", s.auth(s.withID(s.deleteDraft)))
	mux.Handle("GET /bulletins/{id}", s.auth(s.withID(s.detail)))
	mux.Handle("GET /bulletins/{id}/edit", s.auth(s.withID(s.composeEdit)))
	mux.Handle("POST /bulletins/{id}/retract", s.auth(s.withID(s.retract)))
	mux.Handle("POST /bulletins/{id}/retry", s.auth(s.withID(s.retry)))
	mux.Handle("POST /bulletins/{id}/cancel-schedule", s.auth(s.withID(s.cancelSchedule)))
	mux.Handle("GET /audit", s.auth(s.auditPage))
	mux.Handle("GET /admin", s.auth(s.adminPage))
	mux.Handle("POST /admin/users", s.auth(s.addUser))
	mux.Handle("POST /admin/users/{name}/remove", s.auth(s.removeUser))
	mux.Handle("POST /admin/users/{name}/unlock", s.auth(s.unlockUser))
	mux.Handle("POST /admin/users/{name}/role", s.auth(s.setRole))
	mux.Handle("POST /admin/tokens", s.auth(s.createToken))
	mux.Handle("POST /admin/tokens/{name}/revoke", s.auth(s.revokeToken))
}

// withID refuses a route whose {id} breaks the slug rule with a 400 that names the
// rule: such an id never reaches the desk, the bus or the audit log.
func (s *Server) withID(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, u *accounts.User) {
		if err := bulletin.CheckID(r.PathValue("id")); err != nil {
			s.fail(w, r, "message", page{Title: "Bad address", User: u}, err)
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

// page is what every template gets.
type page struct {
	Title string
	User  *accounts.User
	// Notice is a success message; Error a problem to act on.
	Notice, Error string
	Data          any
	// Sandbox lists the channels that deliver to a local sandbox: every page says so,
	// so nobody takes a sandbox delivery for one citizens saw.
	Sandbox []string
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	t := s.pages[name]
	p.Sandbox = s.desk.Sandboxed()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout", p); err != nil {
		s.log.Error("render page", "page", name, "err", err)
	}
}

// fail shows err to the member in plain words, with the status that fits. Errors it
// does not know are logged and shown as a server problem.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, name string, p page, err error) {
	status, msg := explain(err)
	var inv *desk.InvalidError
	if name != "compose" && errors.As(err, &inv) {
		msg = "Not done: " + inv.Error() + "."
	}
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
	}
	p.Error = msg
	s.render(w, status, name, p)
}

func explain(err error) (int, string) {
	var (
		inv  *desk.InvalidError
		forb *desk.ForbiddenError
		conf *desk.ConflictError
		nf   *desk.NotFoundError
		busy *desk.BusyError
	)
	switch {
	case errors.Is(err, bulletin.ErrBadID):
		return http.StatusBadRequest, "No bulletin can have this address: its id is not a valid one (" + bulletin.IDRule + "). Go back to the list."
	case errors.As(err, &inv):
		return http.StatusUnprocessableEntity, "Not published yet: please fix what is marked below, then try again."
	case errors.As(err, &forb):
		return http.StatusForbidden, "Sorry, " + forb.Error() + "."
	case errors.As(err, &conf):
		return http.StatusConflict, "Careful: " + conf.Error() + "."
	case errors.As(err, &busy):
		return http.StatusConflict, "Not done: " + busy.Error() + "."
	case errors.As(err, &nf):
		return http.StatusNotFound, "Not found: " + nf.Error() + ". It may have been removed; go back to the list."
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "The server took too long to answer. Nothing you typed is lost: try again in a moment."
	}
	return http.StatusInternalServerError, "Something went wrong on the server (it is logged for IT). Nothing you typed is lost: try again in a moment, and call IT if it keeps happening."
}
