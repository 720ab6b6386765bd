// Package live is pregoner's YouTube worker: a bulletin with a live block becomes a
// scheduled live broadcast on the council's channel, updated on every edit and deleted
// on a retraction, through the YouTube Data API v3 with an OAuth2 refresh token.
//
// Channel is the delivery.Channel adapter; CheckBulletin is the API's field rules for
// the editor to apply at publish time; Quota counts the daily units in the bus's
// YOUTUBE_QUOTA bucket, shared by every replica and restart; Service runs the worker
// (and, only when asked for with YOUTUBE_SANDBOX=1, the local sandbox of package
// sandbox).
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/youtube/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// shutdownGrace is how long the sandbox's page may take to finish its answers.
const shutdownGrace = 5 * time.Second

// busTimeout bounds creating the quota bucket at start; a cluster electing a leader
// answers within it.
const busTimeout = 30 * time.Second

// Service runs the YouTube worker, and the sandbox when it is asked for.
type Service struct {
	cfg     Config
	js      jetstream.JetStream
	log     *slog.Logger
	channel *Channel
	sandbox *sandbox.Server
	ln      net.Listener // the sandbox's; nil with real credentials
}

// NewService checks cfg (refusing one with neither credentials nor the sandbox asked
// for), prepares the worker and binds to the BucketQuota bucket (the set-up's). With
// cfg.Sandbox it starts listening for the sandbox on cfg.SandboxAddr (so a busy port is
// reported now) and points the client at it; Run serves it.
func NewService(cfg Config, js jetstream.JetStream, log *slog.Logger) (*Service, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, js: js, log: log.With("service", "youtube")}
	ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
	defer cancel()
	quota, err := OpenQuota(ctx, js, cfg)
	if err != nil {
		return nil, err
	}
	chCfg := cfg
	if cfg.Sandbox {
		ln, err := net.Listen("tcp", cfg.SandboxAddr)
		if err != nil {
			return nil, fmt.Errorf("youtube: sandbox: %w", err)
		}
		base := "http://" + ln.Addr().String()
		s.ln = ln
		s.sandbox = sandbox.New(sandbox.Config{WatchURL: base + "/watch?v=", Now: cfg.Now})
		// To the channel the sandbox is a YouTube like any other, reached with its own
		// credentials; only the references it returns say sandbox.
		chCfg.Sandbox = false
		chCfg.ClientID, chCfg.ClientSecret, chCfg.RefreshToken = s.sandbox.Credentials()
		chCfg.APIURL, chCfg.TokenURL, chCfg.WatchURL = base+"/", base+"/token", base+"/watch?v="
		s.log.Warn("SANDBOX: nothing reaches the real channel: live announcements go to the local YouTube sandbox, "+
			"and their records say sandbox (YOUTUBE_SANDBOX=1)", "url", base)
	}
	ch, err := NewChannel(chCfg, quota, s.log)
	if err != nil {
		if s.ln != nil {
			_ = s.ln.Close()
		}
		return nil, err
	}
	ch.sandbox = cfg.Sandbox
	s.channel = ch
	return s, nil
}

// Channel is the service's delivery adapter (for its quota status, or tests).
func (s *Service) Channel() *Channel { return s.channel }

// Sandbox is the sandbox the service runs, or nil when it schedules on YouTube.
func (s *Service) Sandbox() *sandbox.Server { return s.sandbox }

// SandboxURL is the sandbox's base URL, or "" when the service schedules on YouTube.
func (s *Service) SandboxURL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Run delivers live announcements until ctx ends, then finishes the call in flight (or
// hands it back), stops the sandbox and returns nil. It returns an error only when the
// bus refuses the channel's consumer or the sandbox cannot serve.
func (s *Service) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var serveErr error
	if s.ln != nil {
		srv := &http.Server{Handler: s.sandbox.Handler(), ReadHeaderTimeout: 10 * time.Second}
		wg.Go(func() {
			if err := srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				serveErr = fmt.Errorf("youtube: sandbox: %w", err)
				cancel()
			}
		})
		wg.Go(func() {
			<-ctx.Done()
			sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
			defer scancel()
			_ = srv.Shutdown(sctx)
		})
	}
	s.log.Info("youtube worker starting", "config", s.cfg)
	topo := bus.Topology{Replicas: s.cfg.BusReplicas, AckWait: s.cfg.AckWait}
	err := delivery.Serve(ctx, s.js, topo, delivery.Config{
		Channel:     bulletin.YouTube,
		MaxAttempts: s.cfg.MaxAttempts,
		MinBackoff:  s.cfg.MinBackoff,
		Heartbeat:   s.cfg.AckWait / 3,
		Redact:      s.channel.Redact,
		Observe:     s.cfg.Observe,
		Logger:      s.log,
		Now:         s.cfg.Now,
	}, s.channel, s.cfg.Workers)
	cancel()
	wg.Wait()
	if err != nil {
		return fmt.Errorf("youtube: %w", err)
	}
	return serveErr
}
