package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/paeria/pregoner/shared/admin"
)

// httpService serves a handler as one of the hub's services.
type httpService struct {
	name    string
	addr    string
	handler http.Handler
	log     *slog.Logger
}

func (s *httpService) Run(ctx context.Context) error {
	return admin.Serve(ctx, s.name, s.addr, s.handler, s.log)
}
