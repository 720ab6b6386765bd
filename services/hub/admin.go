package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// httpService serves a handler until ctx ends, then gives open requests a few seconds.
type httpService struct {
	name    string
	addr    string
	handler http.Handler
	log     *slog.Logger
}

// shutdownGrace is how long open requests (and Server-Sent Events) may finish on stop.
const shutdownGrace = 5 * time.Second

func (s *httpService) Run(ctx context.Context) error {
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("%s: listen %s: %w", s.name, s.addr, err)
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.log.Info("listening", "service", s.name, "url", "http://"+l.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("%s: %w", s.name, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: shutdown: %w", s.name, err)
	}
	return nil
}
