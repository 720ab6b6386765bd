package staff

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/api"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/services/editor/ui"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/forwarded"
	"github.com/paeria/pregoner/shared/schedule"
)

// Service is the editor: accounts, desk, UI and API behind one handler, and the
// schedule runner.
type Service struct {
	cfg      Config
	log      *slog.Logger
	Accounts *accounts.Store
	Audit    *audit.Log
	Desk     *desk.Desk
	runner   *schedule.Runner
	api      *api.Server
	handler  http.Handler
	stop     func()
	// nc answers the command line's requests (AnswerCLI); cliMu makes one answer at a time.
	nc    *nats.Conn
	cliMu sync.Mutex
}

// Options adjust a service for tests; the zero value is production.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ScheduleTick is how often the runner looks for due schedules; 0 means
	// schedule.DefaultTick.
	ScheduleTick time.Duration
	// SessionCheck is how often a live event stream checks its session; 0 means
	// ui.DefaultSessionCheck.
	SessionCheck time.Duration
}

// NewService builds the editor on js: it binds to its buckets (ACCOUNTS, SESSIONS,
// TOKENS, DRAFTS), its AUDIT stream, the bulletins stream, the deliveries and the
// schedules, which the set-up (bus.Setup, the admin's) created.
func NewService(cfg Config, js jetstream.JetStream, log *slog.Logger) (*Service, error) {
	return NewServiceWith(cfg, js, log, Options{})
}

// NewServiceWith is NewService with options.
func NewServiceWith(cfg Config, js jetstream.JetStream, log *slog.Logger, o Options) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("editor: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("service", "editor")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	loc, _ := time.LoadLocation(cfg.TimeZone) // Validate checked it
	acc, err := openStore(ctx, cfg, js, o.Now)
	if err != nil {
		return nil, fmt.Errorf("editor: %w", err)
	}
	m, err := acc.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("editor: %w", err)
	}
	if m.Sealed > 0 || m.TokensDated > 0 {
		log.Warn("older account records brought up to date", "totp_secrets_sealed", m.Sealed,
			"tokens_given_expiry", m.TokensDated, "expiry", accounts.DefaultTokenTTL.String())
	}
	al, err := audit.New(ctx, js, cfg.Replicas, o.Now, audit.WithLog(log))
	if err != nil {
		return nil, fmt.Errorf("editor: %w", err)
	}
	sched, err := schedule.NewStore(ctx, js)
	if err != nil {
		return nil, fmt.Errorf("editor: %w (has the set-up run? %s)", err, bus.SetupCommand)
	}
	d, err := desk.New(ctx, desk.Deps{JS: js, Audit: al, Schedule: sched, WebBaseURL: cfg.WebBaseURL, Replicas: cfg.Replicas, Now: o.Now, Log: log})
	if err != nil {
		return nil, fmt.Errorf("editor: %w", err)
	}
	pub, err := bus.NewBulletins(ctx, js)
	if err != nil {
		return nil, fmt.Errorf("editor: %w", err)
	}
	runner := schedule.NewRunner(sched, pub, log, o.Now)
	runner.Tick = o.ScheduleTick
	runner.Published = scheduledPublished(al, log)
	stopping := make(chan struct{})
	u, err := ui.New(acc, d, al, ui.Options{Stopping: stopping, Sessions: accounts.SessionPolicy{Idle: cfg.SessionIdle, Max: cfg.SessionMax}, Location: loc, Log: log, SessionCheck: o.SessionCheck})
	if err != nil {
		return nil, fmt.Errorf("editor: %w", err)
	}
	mux := http.NewServeMux()
	u.Register(mux)
	apiSrv := api.New(acc, d, al, log, cfg.SessionMax)
	apiSrv.Register(mux)
	words, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("editor: %w", err)
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
		http.Error(w, words.T(requestLang(words, r), "limits.crossSite"), http.StatusForbidden)
	}))
	trusted, err := forwarded.Parse(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("editor: EDITOR_TRUSTED_PROXIES: %w", err)
	}
	h := trusted.Middleware(ui.SecurityHeaders(cop.Handler(limitBody(words, mux))))
	return &Service{cfg: cfg, log: log, Accounts: acc, Audit: al, Desk: d, runner: runner, api: apiSrv, handler: h,
		stop: sync.OnceFunc(func() { close(stopping) }), nc: js.Conn()}, nil
}

// Handler is the editor's whole HTTP interface, for tests and for embedding.
func (s *Service) Handler() http.Handler { return s.handler }

// Run serves on cfg.Addr and runs the background work (Background) until ctx ends,
// then lets requests finish (up to ShutdownGrace) and returns nil. It returns an error
// when it cannot listen.
func (s *Service) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("editor: listen %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Background is the editor's work besides answering requests, until ctx ends: the
// schedule runner, which every replica runs (its claims make each due bulletin go out
// once), and the watch of delivery records that tells every page which channels are
// sandboxes, and the minute's count of refused API tokens for the audit log (written
// last when ctx ends, after Serve has let the requests finish), and the answers to the
// command line's requests on the bus (AnswerCLI: the first administrator), and the
// audit event of every delivery that dies (in TrackSandboxes, once across replicas).
func (s *Service) Background(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { _ = s.Desk.TrackSandboxes(ctx) })
	wg.Go(func() { s.api.Background(ctx) })
	if s.nc != nil {
		wg.Go(func() {
			if err := s.AnswerCLI(ctx, s.nc); err != nil {
				s.log.Error("the command line's requests go unanswered", "err", err)
			}
		})
	}
	err := s.runner.Run(ctx)
	wg.Wait()
	return err
}

// Serve is Run on a listener of the caller's.
func (s *Service) Serve(ctx context.Context, ln net.Listener) error {
	bctx, stopBackground := context.WithCancel(ctx)
	background := make(chan error, 1)
	go func() { background <- s.Background(bctx) }()
	defer func() { stopBackground(); <-background }()

	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, MaxHeaderBytes: maxHeaderBytes,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	s.log.Info("editor listening", "addr", ln.Addr().String())
	s.announceFirstRun(ctx, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("editor: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	srv.RegisterOnShutdown(s.stop)
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("editor: shutdown: %w", err)
	}
	s.log.Info("editor stopped")
	return nil
}

// OpenAccounts binds to the accounts and the audit log without the rest of the
// service, on the editor's own key: tests set accounts up with it (the command line no
// longer does; its account commands go through the API).
func OpenAccounts(ctx context.Context, cfg Config, js jetstream.JetStream) (*accounts.Store, *audit.Log, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("editor: %w", err)
	}
	acc, err := openStore(ctx, cfg, js, nil)
	if err != nil {
		return nil, nil, err
	}
	al, err := audit.New(ctx, js, cfg.Replicas, nil)
	if err != nil {
		return nil, nil, err
	}
	return acc, al, nil
}

// openStore binds to the accounts with the key file's keys.
func openStore(ctx context.Context, cfg Config, js jetstream.JetStream, now func() time.Time) (*accounts.Store, error) {
	keys, err := accounts.LoadKeyring(cfg.SecretKeyFile)
	if err != nil {
		return nil, fmt.Errorf("EDITOR_SECRET_KEY_FILE: %w", err)
	}
	return accounts.NewStore(ctx, js, cfg.topology(), cfg.policy(), keys, now)
}

func (c Config) topology() accounts.Topology {
	return accounts.Topology{Replicas: c.Replicas, SessionMaxAge: c.SessionMax}
}

func (c Config) policy() accounts.Policy {
	return accounts.Policy{FreeFailures: c.FreeFailures, Backoff: c.Backoff, BackoffMax: c.BackoffMax, FailDelay: c.FailDelay,
		BcryptCost: c.BcryptCost, Issuer: c.Issuer, MinPassword: c.MinPassword}
}

// requestLang is the language of a refusal made before any page knows the member: her
// language cookie, else her browser's Accept-Language, else Catalan.
func requestLang(words *i18n.Catalogue, r *http.Request) i18n.Lang {
	if c, err := r.Cookie(ui.LangCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	return words.Match(r.Header.Get("Accept-Language"))
}
