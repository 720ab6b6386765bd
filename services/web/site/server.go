package site

import (
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"github.com/paeria/pregoner/shared/forwarded"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the page shows Lleida's time on machines without a zoneinfo database

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/markdown"
)

//go:embed assets
var assets embed.FS

// Security headers on every response. The page loads nothing from elsewhere and runs
// no inline script: live.js is its only script. Its one form, the search, submits to
// the page itself.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Server answers the page's HTTP requests from the feed. Pages are rendered once per
// feed change and per URL, then served from memory, gzipped too. It is safe for
// concurrent use.
type Server struct {
	cfg    Config
	feed   *feed.Feed
	md     *markdown.Markdown
	tmpl   *template.Template
	loc    *time.Location
	log    *slog.Logger
	prefix string // the base URL's path, "" at the root

	mu       sync.Mutex
	cur      atomic.Pointer[site]
	bodies   sync.Map // bulletin id → renderedBody
	texts    sync.Map // bulletin id → searchText
	messages sync.Map // status, language and text → *page
	static   map[string]*page
	hashes   map[string]string // asset name → content hash, for cache busting

	closing chan struct{} // closed when the server shuts down: ends live streams
	once    sync.Once

	streams *streamGate
	trusted forwarded.Trusted // proxies whose X-Forwarded-For is believed
	boot    string            // this server's random prefix of every version it tells
	alerts  alertIndex        // the CAP messages of bulletins marked as alerts (cap.go)
	fan     fanout            // what the live streams share (events.go)
	// inlineMax is the largest article a live event carries (events.go); tests lower it.
	inlineMax int

	robotsPage *page // robots.go
}

// site is every rendered response of one feed version; pages render on first request.
type site struct {
	snap  *feed.Snapshot
	pages sync.Map // key → *lazyPage
}

type lazyPage struct {
	once sync.Once
	p    *page
	err  error
}

// NewServer returns a server of f. cfg must be valid.
func NewServer(cfg Config, f *feed.Feed, log *slog.Logger) (*Server, error) {
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("web: time zone %q: %w", cfg.TimeZone, err)
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("web: base URL: %w", err)
	}
	tmpl, err := template.ParseFS(assets, "assets/page.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	trusted, err := parseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("web: trusted proxies: %w", err)
	}
	var nonce [4]byte
	_, _ = rand.Read(nonce[:]) // crypto/rand never fails on supported systems
	s := &Server{cfg: cfg, feed: f, md: markdown.New(), tmpl: tmpl, loc: loc, log: log,
		prefix: strings.TrimRight(u.Path, "/"), static: map[string]*page{}, hashes: map[string]string{},
		closing: make(chan struct{}), trusted: trusted, boot: hex.EncodeToString(nonce[:]), inlineMax: inlineMax,
		streams: newStreamGate(streamCap(cfg.MaxStreams, log), cfg.MaxStreamsPerAddr, log)}
	for name, ctype := range map[string]string{"style.css": "text/css; charset=utf-8", "live.js": "text/javascript; charset=utf-8"} {
		data, err := assets.ReadFile("assets/" + name)
		if err != nil {
			return nil, fmt.Errorf("web: asset %s: %w", name, err)
		}
		sum := sha256.Sum256(data)
		s.hashes[name] = hex.EncodeToString(sum[:6])
		s.static[name] = newPage(http.StatusOK, ctype, cacheImmutable, data, time.Time{})
	}
	s.robotsPage = robotsTxt(s.prefix)
	icon, err := makeIcon()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	sum := sha256.Sum256(icon)
	s.hashes[iconName] = hex.EncodeToString(sum[:6])
	s.static[iconName] = newPage(http.StatusOK, "image/x-icon", cacheImmutable, icon, time.Time{})
	return s, nil
}

// Close ends every live-update stream; call it when the HTTP server shuts down.
func (s *Server) Close() { s.once.Do(func() { close(s.closing) }) }

// streamCap is cfg's cap, or the one the open-file limit gives (deriveMaxStreams).
func streamCap(configured int, log *slog.Logger) int {
	if configured > 0 {
		return configured
	}
	limit, err := fileLimit()
	if err != nil {
		log.Warn("open-file limit unknown; live-update cap derived from a guess", "assumed", fallbackFileLimit, "err", err)
		limit = fallbackFileLimit
	}
	n := deriveMaxStreams(limit)
	log.Info("live-update streams capped", "max", n, "open_file_limit", limit)
	return n
}

// version names the feed's version v for pages and the live stream. The random prefix
// keeps two replicas, or a restarted process, from telling the same number for
// different feeds: a reader then refetches once too often, never once too few.
func (s *Server) version(v uint64) string { return s.boot + "." + strconv.FormatUint(v, 10) }

func (s *Server) permalinkPath(id string) string { return s.prefix + "/bulletins/" + id }

// permalink is the absolute address of bulletin id: what the delivery record carries.
func (s *Server) permalink(id string) string { return s.cfg.BaseURL + "/bulletins/" + id }

func (s *Server) assetPath(name string) string {
	return s.prefix + "/static/" + name + "?v=" + s.hashes[name]
}

// current returns the rendered site of the feed's version, starting a new one when the
// feed changed since.
func (s *Server) current() *site {
	v := s.feed.Version()
	if st := s.cur.Load(); st != nil && st.snap.Version == v {
		return st
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.cur.Load(); st != nil && st.snap.Version == s.feed.Version() {
		return st
	}
	st := &site{snap: s.feed.Snapshot()}
	s.cur.Store(st)
	return st
}

// get returns the page of key in st, rendering it on first use.
func (st *site) get(key string, render func() (*page, error)) (*page, error) {
	v, _ := st.pages.LoadOrStore(key, &lazyPage{})
	lp := v.(*lazyPage)
	lp.once.Do(func() { lp.p, lp.err = render() })
	return lp.p, lp.err
}

// Handler returns the page's routes wrapped in its security headers.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.front)
	mux.HandleFunc("GET /{lang}/{$}", s.list)
	for _, lang := range uiLangs { // one route each: "/{lang}/search" would clash with /bulletins/{id}
		mux.HandleFunc("GET /"+lang+"/search", s.search(lang))
		mux.HandleFunc("GET /"+lang+"/article/{id}", s.article(lang))
	}
	mux.HandleFunc("GET /{lang}", s.langRedirect)
	mux.HandleFunc("GET /bulletins/{id}", s.bulletin)
	mux.HandleFunc("GET /feed.atom", s.feedHandler("atom", s.renderAtom))
	mux.HandleFunc("GET /feed.json", s.feedHandler("json", s.renderJSONFeed))
	mux.HandleFunc("GET /cap.atom", s.serveCAPIndex)
	mux.HandleFunc("GET /cap/{file}", s.serveCAP)
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /static/{name}", s.asset)
	mux.HandleFunc("GET /favicon.ico", s.favicon)
	mux.HandleFunc("GET /robots.txt", s.robots)
	mux.HandleFunc("GET /healthz", s.health)
	mux.HandleFunc("/", s.notFound)
	return secure(mux)
}

func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// ready answers 503 while the feed is still being rebuilt from the bus: a partial feed
// would tell citizens a bulletin does not exist when it does.
func (s *Server) ready(w http.ResponseWriter, r *http.Request, lang string) bool {
	if s.feed.IsReady() {
		return true
	}
	w.Header().Set("Retry-After", "1")
	serve(w, r, s.renderMessage(http.StatusServiceUnavailable, lang, dictionary[lang].Site, dictionary[lang].Starting), "Accept-Language")
	return false
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, lang string, err error) {
	s.log.Error("render failed", "path", r.URL.Path, "err", err)
	serve(w, r, s.renderMessage(http.StatusInternalServerError, lang, dictionary[lang].Site, dictionary[lang].Failed), "")
}

// front serves / in the reader's language, chosen by Accept-Language.
func (s *Server) front(w http.ResponseWriter, r *http.Request) {
	s.serveList(w, r, negotiate(r.Header.Get("Accept-Language")), "Accept-Language")
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if _, ok := dictionary[lang]; !ok {
		s.notFound(w, r)
		return
	}
	s.serveList(w, r, lang, "")
}

func (s *Server) langRedirect(w http.ResponseWriter, r *http.Request) {
	if _, ok := dictionary[r.PathValue("lang")]; !ok {
		s.notFound(w, r)
		return
	}
	http.Redirect(w, r, s.prefix+"/"+r.PathValue("lang")+"/", http.StatusMovedPermanently)
}

func (s *Server) serveList(w http.ResponseWriter, r *http.Request, lang, vary string) {
	n := 1
	if v := r.URL.Query().Get("page"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			serve(w, r, s.renderMessage(http.StatusBadRequest, lang, dictionary[lang].NotFound, dictionary[lang].BadPage), vary)
			return
		}
	}
	if !s.ready(w, r, lang) {
		return
	}
	st := s.current()
	if n > s.pages(st.snap, lang) {
		s.notFound(w, r) // checked first: only real pages take room in the cache
		return
	}
	p, err := st.get("list:"+lang+":"+strconv.Itoa(n), func() (*page, error) { return s.renderList(st.snap, lang, n) })
	if err != nil {
		s.fail(w, r, lang, err)
		return
	}
	serve(w, r, p, vary)
}

func (s *Server) bulletin(w http.ResponseWriter, r *http.Request) {
	if bulletin.CheckID(r.PathValue("id")) != nil {
		s.notFound(w, r) // no bulletin can have it: nothing to look up
		return
	}
	lang := negotiate(r.Header.Get("Accept-Language"))
	if !s.ready(w, r, lang) {
		return
	}
	st := s.current()
	e := st.snap.ByID[r.PathValue("id")]
	if e == nil || (e.Gone && !e.Withdrawn) {
		s.notFound(w, r)
		return
	}
	vary := ""
	if _, ok := dictionary[e.Lang]; !ok {
		vary = "Accept-Language" // the page's own words follow the reader
	}
	p, err := st.get("bulletin:"+e.ID+":"+lang, func() (*page, error) { return s.renderBulletin(st.snap, e, lang) })
	if err != nil {
		s.fail(w, r, lang, err)
		return
	}
	serve(w, r, p, vary)
}

func (s *Server) feedHandler(key string, render func(*feed.Snapshot) (*page, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.ready(w, r, defaultLang) {
			return
		}
		st := s.current()
		p, err := st.get(key, func() (*page, error) { return render(st.snap) })
		if err != nil {
			s.fail(w, r, defaultLang, err)
			return
		}
		serve(w, r, p, "")
	}
}

func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	p := s.static[name]
	if p == nil {
		s.notFound(w, r)
		return
	}
	if r.URL.Query().Get("v") != s.hashes[name] {
		c := *p
		c.cache = cacheRevalidate // an old or missing version: do not pin it
		p = &c
	}
	serve(w, r, p, "")
}

// favicon serves the icon where browsers look for it unasked; revalidated there, since
// that URL cannot carry the icon's hash.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	c := *s.static[iconName]
	c.cache = cacheRevalidate
	serve(w, r, &c, "")
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", cacheError)
	if !s.feed.IsReady() {
		http.Error(w, "starting: rebuilding the feed from the bus", http.StatusServiceUnavailable)
		return
	}
	_, _ = fmt.Fprintln(w, "ok")
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: the page is read-only", http.StatusMethodNotAllowed)
		return
	}
	lang := negotiate(r.Header.Get("Accept-Language"))
	d := dictionary[lang]
	serve(w, r, s.renderMessage(http.StatusNotFound, lang, d.NotFound, d.NotFoundText), "Accept-Language")
}
