package staff

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/i18n"
)

// FirstRunLog starts the log line that carries the first-run link, so an operator (and
// the hub, whose log it is in) finds it at once.
const FirstRunLog = "first run: open "

// announceFirstRun makes the one-time link that creates the first administrator in the
// browser, when the editor has no account, and logs it: the link is the way in, so it is
// the one secret the log carries, and it works once, for accounts.FirstRunTTL, only while
// no account exists. addr is where the editor listens.
func (s *Service) announceFirstRun(ctx context.Context, addr net.Addr) {
	token, until, err := s.Accounts.BeginFirstRun(ctx)
	var pending *accounts.FirstRunPendingError
	switch {
	case errors.Is(err, accounts.ErrHasAccounts):
		return
	case errors.As(err, &pending):
		s.log.Warn("first run: the editor has no account yet; another replica logged the link to create the first administrator", "valid_until", i18n.Date(pending.Until, s.loc()))
		return
	case err != nil:
		s.log.Error("first run: could not make the link to create the first administrator; use editor user add NAME --role admin", "err", err)
		return
	}
	s.log.Warn(FirstRunLog+editorURL(addr)+"/first-run/"+token+" to create the first administrator",
		"valid_until", i18n.Date(until, s.loc()), "once", true)
}

// editorURL is where a browser on this machine reaches the editor listening on addr:
// the loopback name for an address that listens everywhere.
func editorURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (s *Service) loc() *time.Location {
	if l, err := time.LoadLocation(s.cfg.TimeZone); err == nil {
		return l
	}
	return time.UTC
}
