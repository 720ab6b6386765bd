package poster

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// Defaults, and why.
const (
	// DefaultAPIURL is the real Bot API.
	DefaultAPIURL = "https://api.telegram.org"
	// DefaultWebBaseURL is the hub's public page; permalinks point below it.
	DefaultWebBaseURL = "http://127.0.0.1:8081"
	// DefaultSandboxAddr is where the local Bot API sandbox listens when it is asked
	// for (TELEGRAM_SANDBOX=1): the hub's Telegram page.
	DefaultSandboxAddr = "127.0.0.1:8082"
	// DefaultSandboxChat is the chat the sandbox shows when no chat is configured.
	DefaultSandboxChat = "@lapaeriaexplica"
	// DefaultLang is the language of a group the default chat carries: the council's.
	DefaultLang = "ca"
	// DefaultPerChatPerMinute stays under Telegram's ~20 messages a minute in one chat.
	DefaultPerChatPerMinute = 18
	// DefaultGlobalPerSecond stays under Telegram's ~30 messages a second per bot.
	DefaultGlobalPerSecond = 25
	// DefaultRequestTimeout bounds one Bot API call; a hung call is retried.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultMaxInlineWait: a 429 asking to wait up to this long is waited out inside
	// the delivery; a longer one hands the revision back to the bus with that delay.
	DefaultMaxInlineWait = time.Minute
	// DefaultIdleConns per host: the library's default client keeps 2, which makes a
	// new TLS connection for most requests in a burst.
	DefaultIdleConns = 32
)

// Config is the Telegram service's configuration. LoadConfig reads it from the
// environment through the table of Settings; tests build it directly.
type Config struct {
	// Token is the bot token (TELEGRAM_BOT_TOKEN or the file TELEGRAM_BOT_TOKEN_FILE).
	// It is a secret: it never appears in a log line, an error or a delivery record.
	Token string
	// Sandbox runs the local Bot API sandbox instead of Telegram (TELEGRAM_SANDBOX=1).
	// It must be asked for, and only without a token: a missing token never quietly
	// turns into a sandbox. Every record it makes says sandbox.
	Sandbox bool
	// ChatID is where bulletins go (TELEGRAM_CHAT_ID): "@lapaeriaexplica" or a
	// numeric chat id.
	ChatID string
	// ChatByLang sends bulletins in a language to another chat (TELEGRAM_CHAT_ID_ES,
	// or TELEGRAM_CHATS="es=@lapaeriaexplica_es,en=-1001234"). Key: language code.
	ChatByLang map[string]string
	// Lang is the language the default chat carries of a group (TELEGRAM_LANG): a
	// translation in another language without a chat of its own is skipped when its
	// group has a version in Lang on the channel.
	Lang string
	// APIURL is the Bot API base URL (TELEGRAM_API_URL).
	APIURL string
	// WebBaseURL is the public page (WEB_BASE_URL); a bulletin's permalink is
	// <WebBaseURL>/bulletins/<id>.
	WebBaseURL string
	// SandboxAddr is where the sandbox listens (TELEGRAM_SANDBOX_ADDR).
	SandboxAddr string
	// PerChatPerMinute and GlobalPerSecond pace requests (TELEGRAM_PER_CHAT_PER_MINUTE,
	// TELEGRAM_GLOBAL_PER_SECOND). Negative turns pacing off (benchmarks, tests of 429).
	PerChatPerMinute float64
	GlobalPerSecond  float64
	// RequestTimeout bounds one Bot API call (TELEGRAM_REQUEST_TIMEOUT).
	RequestTimeout time.Duration
	// MaxInlineWait: see DefaultMaxInlineWait.
	MaxInlineWait time.Duration
	// IdleConns is how many idle connections to the Bot API are kept for reuse.
	IdleConns int
	// Workers is how many delivery workers run in this process (TELEGRAM_WORKERS; they
	// still take one revision at a time between them, in publish order, so more only
	// stand by to take over).
	Workers int
	// Delivery tunes the delivery loop; Channel, Redact and Logger are set by the service.
	Delivery delivery.Config
	// Observe, when set, is told every delivery outcome of the Telegram channel (the
	// hub passes its metrics' Observe). Not read from the environment.
	Observe func(delivery.Outcome)
	// Topology of the bus (replicas, ack wait): NATS_REPLICAS, read with the bus's own
	// settings rows.
	Topology bus.Topology
	// Now is the clock that decides whether a post is older than 48 hours; nil is
	// the wall clock. Tests share it with the sandbox.
	Now func() time.Time
}

var (
	chatRE  = regexp.MustCompile(`^(@[A-Za-z][A-Za-z0-9_]{3,31}|-?[0-9]{1,20})$`)
	tokenRE = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,}$`)
	langRE  = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// defaults fills the zero fields of a Config built in code; LoadConfig fills the same
// from the settings table's defaults.
func (c *Config) defaults() {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if c.WebBaseURL == "" {
		c.WebBaseURL = DefaultWebBaseURL
	}
	if c.SandboxAddr == "" {
		c.SandboxAddr = DefaultSandboxAddr
	}
	if c.Lang == "" {
		c.Lang = DefaultLang
	}
	if c.ChatID == "" && c.Sandbox {
		c.ChatID = DefaultSandboxChat
	}
	if c.PerChatPerMinute == 0 {
		c.PerChatPerMinute = DefaultPerChatPerMinute
	}
	if c.GlobalPerSecond == 0 {
		c.GlobalPerSecond = DefaultGlobalPerSecond
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MaxInlineWait == 0 {
		c.MaxInlineWait = DefaultMaxInlineWait
	}
	if c.IdleConns == 0 {
		c.IdleConns = DefaultIdleConns
	}
	if c.Workers == 0 {
		c.Workers = 1
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports what the settings get wrong together — which channel is meant, a
// token without its chat — all at once; each setting's own check is in Settings. Its
// errors never contain the token.
func (c Config) Validate() error {
	if err := errors.Join(c.problems(c.Token != "")...); err != nil {
		return fmt.Errorf("telegram settings: %w", err)
	}
	return nil
}

// problems are Validate's findings, one "VAR: what (want what)" each. tokenGiven says
// whether a token was given at all, so that one refused by its own check (or its file
// unreadable) is not also reported as missing.
func (c Config) problems(tokenGiven bool) []error {
	var errs []error
	switch {
	case !tokenGiven && !c.Sandbox:
		// Never a silent stand-in: posting to the sandbox while staff believe the
		// channel has it is worse than not starting.
		errs = append(errs, errors.New("TELEGRAM_BOT_TOKEN: not set, and no sandbox asked for "+
			"(want TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE for the real channel, or TELEGRAM_SANDBOX=1 for the local sandbox)"))
	case tokenGiven && c.Sandbox:
		errs = append(errs, errors.New("TELEGRAM_SANDBOX: 1 while a bot token is set, so which channel is meant is unclear "+
			"(want the token for the real channel, or TELEGRAM_SANDBOX=1 without a token for the local sandbox)"))
	case tokenGiven && c.ChatID == "":
		errs = append(errs, errors.New("TELEGRAM_CHAT_ID: not set (want the chat the token posts to, e.g. @lapaeriaexplica or -1001234567890)"))
	}
	return errs
}

// chatFor is the chat that carries bulletins in lang.
func (c Config) chatFor(lang string) string {
	if chat, ok := c.ChatByLang[lang]; ok {
		return chat
	}
	return c.ChatID
}
