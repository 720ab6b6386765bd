package poster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"golang.org/x/time/rate"

	"github.com/paeria/pregoner/shared/delivery"
)

// client makes Bot API calls paced under Telegram's limits, waits out 429s before the
// chat's next request, and classifies and redacts every error. It is safe for
// concurrent use.
type client struct {
	bot     *bot.Bot
	global  *rate.Limiter // nil: no pacing
	perChat rate.Limit
	maxWait time.Duration
	redact  func(string) string

	mu    sync.Mutex
	chats map[string]*gate
	// until holds every chat: a 429 does not say whether the chat's limit or the
	// bot's was hit, so the bot as a whole waits too.
	until time.Time
}

// gate paces one chat and holds it shut until a retry_after has passed.
type gate struct {
	limiter *rate.Limiter
	until   time.Time
}

func newClient(cfg Config, apiURL, token string, log *slog.Logger) (*client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = cfg.IdleConns
	tr.MaxIdleConnsPerHost = cfg.IdleConns
	httpClient := &http.Client{Timeout: cfg.RequestTimeout, Transport: tr}
	redact := redactor(token)
	b, err := bot.New(token,
		bot.WithServerURL(strings.TrimRight(apiURL, "/")),
		bot.WithSkipGetMe(),
		bot.WithHTTPClient(cfg.RequestTimeout, httpClient),
		bot.WithErrorsHandler(func(err error) { log.Warn("bot api client", "err", redact(err.Error())) }),
		bot.WithDebugHandler(func(string, ...any) {}),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %s", redact(err.Error()))
	}
	c := &client{bot: b, maxWait: cfg.MaxInlineWait, redact: redact, chats: map[string]*gate{}, perChat: rate.Inf}
	if cfg.GlobalPerSecond > 0 {
		c.global = rate.NewLimiter(rate.Limit(cfg.GlobalPerSecond), 1)
	}
	if cfg.PerChatPerMinute > 0 {
		c.perChat = rate.Limit(cfg.PerChatPerMinute / 60)
	}
	return c, nil
}

// redactor replaces the token, as it is and URL-escaped, in a text.
func redactor(token string) func(string) string {
	if token == "" {
		return func(s string) string { return s }
	}
	escaped := url.PathEscape(token)
	return func(s string) string {
		s = strings.ReplaceAll(s, token, "<token>")
		return strings.ReplaceAll(s, escaped, "<token>")
	}
}

func (c *client) gate(chat string) *gate {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.chats[chat]
	if g == nil {
		g = &gate{limiter: rate.NewLimiter(c.perChat, 1)}
		c.chats[chat] = g
	}
	return g
}

// wait blocks until chat may take its next request.
func (c *client) wait(ctx context.Context, g *gate) error {
	c.mu.Lock()
	until := g.until
	if c.until.After(until) {
		until = c.until
	}
	c.mu.Unlock()
	if d := time.Until(until); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := g.limiter.Wait(ctx); err != nil {
		return err
	}
	if c.global != nil {
		return c.global.Wait(ctx)
	}
	return nil
}

// do runs call against chat, paced. A 429 shuts the chat's gate (and the bot's) for
// retry_after from the moment the answer arrived, then the call is tried again — or, when the wait is
// longer than MaxInlineWait, a temporary error with that retry_after is returned.
// Errors are classified (delivery.Temporary / Permanent) and never contain the token.
func (c *client) do(ctx context.Context, chat, what string, call func(ctx context.Context) error) error {
	g := c.gate(chat)
	for throttled := 0; ; throttled++ {
		if err := c.wait(ctx, g); err != nil {
			return err
		}
		err := call(ctx)
		var tooMany *bot.TooManyRequestsError
		if errors.As(err, &tooMany) {
			d := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
			c.mu.Lock()
			until := time.Now().Add(d)
			if until.After(g.until) {
				g.until = until
			}
			if until.After(c.until) {
				c.until = until
			}
			c.mu.Unlock()
			if d <= c.maxWait && throttled < maxThrottled {
				continue
			}
			return delivery.Temporary(c.wrap(what, err), d)
		}
		if err == nil {
			return nil
		}
		return c.classify(what, err)
	}
}

// maxThrottled bounds how many 429s in a row one call waits out before it hands the
// revision back to the bus (which retries it no earlier than retry_after).
const maxThrottled = 5

// apiError is a Bot API error with the token redacted from its text.
type apiError struct {
	msg string
	err error
}

func (e *apiError) Error() string { return e.msg }
func (e *apiError) Unwrap() error { return e.err }

func (c *client) wrap(what string, err error) error {
	return &apiError{msg: c.redact("telegram: " + what + ": " + err.Error()), err: err}
}

// classify sorts a failed call: refusals of content and credentials are permanent;
// 5xx, time-outs, resets and anything unknown are temporary.
func (c *client) classify(what string, err error) error {
	wrapped := c.wrap(what, err)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && !isTimeout(err) {
		return wrapped // the caller gave up; the worker hands the revision back
	}
	var migrate *bot.MigrateError
	switch {
	case errors.As(err, &migrate):
		return delivery.PermanentBecause(delivery.ReasonChatMoved, fmt.Errorf("%w (the chat became %d: set its new id in the configuration)", wrapped, migrate.MigrateToChatID))
	case errors.Is(err, bot.ErrorUnauthorized):
		return delivery.PermanentBecause(delivery.ReasonCredentials, fmt.Errorf("%w (check TELEGRAM_BOT_TOKEN)", wrapped))
	case errors.Is(err, bot.ErrorForbidden):
		return delivery.PermanentBecause(delivery.ReasonRights, fmt.Errorf("%w (is the bot an administrator of the channel?)", wrapped))
	case errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "too long"):
		return delivery.PermanentBecause(delivery.ReasonTooLong, wrapped)
	case errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "chat not found"):
		return delivery.PermanentBecause(delivery.ReasonRights, wrapped)
	case errors.Is(err, bot.ErrorBadRequest), errors.Is(err, bot.ErrorNotFound):
		return delivery.Permanent(wrapped)
	}
	return delivery.Temporary(wrapped, 0)
}

// isTimeout tells an HTTP client time-out (worth retrying) from the caller's deadline.
func isTimeout(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) && ue.Timeout()
}

// definite reports whether err, as the library returned it, is the Bot API's own
// answer: a refusal (4xx) or a 429, after which Telegram has not carried the request
// out. Anything else — an HTTP client time-out, a reset or EOF, a 5xx, an unreadable
// answer, the caller giving up mid-request — leaves unknown whether it did.
func definite(err error) bool {
	var tooMany *bot.TooManyRequestsError
	var migrate *bot.MigrateError
	return errors.As(err, &tooMany) || errors.As(err, &migrate) ||
		errors.Is(err, bot.ErrorBadRequest) || errors.Is(err, bot.ErrorUnauthorized) ||
		errors.Is(err, bot.ErrorForbidden) || errors.Is(err, bot.ErrorNotFound) ||
		errors.Is(err, bot.ErrorConflict)
}

// refused reports whether err is a Bot API 400 whose description contains text.
func refused(err error, text string) bool {
	return errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), text)
}
