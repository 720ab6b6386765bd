// Package poster carries bulletins to the Telegram channel "La Paeria explica" (and
// any other chat configured per language): it plugs a Bot API adapter into the shared
// delivery loop, renders bulletins with tghtml, paces requests under Telegram's limits
// and, only when asked for (TELEGRAM_SANDBOX=1, without a token), runs the local Bot
// API sandbox instead.
package poster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/tghtml"
)

// Service is the Telegram worker, and the sandbox when it is asked for.
type Service struct {
	cfg     Config
	js      jetstream.JetStream
	log     *slog.Logger
	channel *Channel
	redact  func(string) string
	// sandbox is set when cfg.Sandbox asks for it.
	sandbox *sandbox.Server
}

// NewService checks cfg (refusing one with neither a token nor the sandbox asked for),
// binds to the bus (creating the TELEGRAM_POSTS bucket) and prepares the Bot API
// client. It sends nothing until Run.
func NewService(cfg Config, js jetstream.JetStream, log *slog.Logger) (*Service, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("service", "telegram")
	s := &Service{cfg: cfg, js: js, log: log}
	token, apiURL := cfg.Token, cfg.APIURL
	postURL := publicPostURL
	if cfg.Sandbox {
		// The sandbox takes any well-formed token; a random one proves nothing leaks it.
		token = "1:sandbox" + randomHex()
		apiURL = "http://" + cfg.SandboxAddr
		s.sandbox = sandbox.New(sandbox.Config{Token: token, Now: cfg.Now, Logger: log})
		pageURL := "http://" + cfg.SandboxAddr + "/"
		postURL = func(string, int) string { return pageURL }
		log.Warn("SANDBOX: nothing reaches the real channel: bulletins go to the local Bot API sandbox, "+
			"and their records say sandbox (TELEGRAM_SANDBOX=1)", "page", pageURL)
	}
	api, err := newClient(cfg, apiURL, token, log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ps, err := newPosts(ctx, js)
	if err != nil {
		return nil, err
	}
	records, err := delivery.NewStore(ctx, js)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	s.redact = api.redact
	s.channel = &Channel{cfg: cfg, api: api, render: tghtml.NewRenderer(cfg.WebBaseURL), posts: ps,
		rights: newRights(api, log), log: log, postURL: postURL, group: &group{js: js, posts: ps},
		records: records}
	return s, nil
}

// checkRights looks up the bot's rights in every configured chat, so that a chat
// delivered only at least once is logged at start (with the fix) rather than at its
// first lost reply. A chat whose lookup fails is looked up again when it is used.
func (s *Service) checkRights(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	chats := []string{s.cfg.ChatID}
	for _, chat := range s.cfg.ChatByLang {
		if !slices.Contains(chats, chat) {
			chats = append(chats, chat)
		}
	}
	slices.Sort(chats)
	for _, chat := range chats {
		if chat != "" {
			s.channel.rights.check(ctx, chat, true)
		}
	}
}

func randomHex() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// Channel is the delivery.Channel the service runs, for wiring it elsewhere.
func (s *Service) Channel() *Channel { return s.channel }

// Sandbox is the local Bot API server, or nil when the service posts to Telegram.
func (s *Service) Sandbox() *sandbox.Server { return s.sandbox }

// Run delivers bulletins with cfg.Workers workers until ctx ends, serving the sandbox
// on cfg.SandboxAddr when it is asked for; then it finishes the delivery in flight (or
// hands it back), stops the sandbox and returns nil. It returns an error when the
// sandbox address is taken or the bus consumer cannot be set up.
func (s *Service) Run(ctx context.Context) error {
	var srv *http.Server
	serveErr := make(chan error, 1)
	if s.sandbox != nil {
		ln, err := net.Listen("tcp", s.cfg.SandboxAddr)
		if err != nil {
			return fmt.Errorf("telegram sandbox: %w", err)
		}
		srv = &http.Server{Handler: s.sandbox, ReadHeaderTimeout: 10 * time.Second}
		go func() { serveErr <- srv.Serve(ln) }()
		s.log.Info("telegram sandbox listening", "addr", ln.Addr().String())
	}
	s.checkRights(ctx)
	s.publishRouting(ctx)
	links, stopLinks := context.WithCancel(ctx)
	linksDone := make(chan struct{})
	go func() { defer close(linksDone); s.watchLinks(links) }()
	defer func() { stopLinks(); <-linksDone }()
	dcfg := s.cfg.Delivery
	dcfg.Channel = bulletin.Telegram
	dcfg.Logger = s.log
	if s.cfg.Observe != nil {
		dcfg.Observe = s.cfg.Observe
	}
	redact := dcfg.Redact
	dcfg.Redact = func(text string) string {
		text = s.redact(text)
		if redact != nil {
			text = redact(text)
		}
		return text
	}
	err := delivery.Serve(ctx, s.js, s.cfg.Topology, dcfg, s.channel, s.cfg.Workers)
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		if serr := <-serveErr; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, fmt.Errorf("telegram sandbox: %w", serr))
		}
	}
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
