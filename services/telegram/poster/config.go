package poster

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
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
	// DefaultSandboxAddr is where the hub serves the local Bot API sandbox when no
	// token is configured.
	DefaultSandboxAddr = "127.0.0.1:8082"
	// DefaultSandboxChat is the chat the sandbox shows when no chat is configured.
	DefaultSandboxChat = "@lapaeriaexplica"
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
// environment; tests build it directly.
type Config struct {
	// Token is the bot token (TELEGRAM_BOT_TOKEN or the file TELEGRAM_BOT_TOKEN_FILE).
	// Empty runs the local sandbox instead of Telegram. It is a secret: it never
	// appears in a log line, an error or a delivery record.
	Token string
	// ChatID is where bulletins go (TELEGRAM_CHAT_ID): "@lapaeriaexplica" or a
	// numeric chat id.
	ChatID string
	// ChatByLang sends bulletins in a language to another chat (TELEGRAM_CHAT_ID_ES,
	// or TELEGRAM_CHATS="es=@lapaeriaexplica_es,en=-1001234"). Key: language code.
	ChatByLang map[string]string
	// APIURL is the Bot API base URL (TELEGRAM_API_URL).
	APIURL string
	// WebBaseURL is the public page (WEB_BASE_URL); a bulletin's permalink is
	// <WebBaseURL>/bulletins/<id>.
	WebBaseURL string
	// SandboxAddr is where the sandbox listens when Token is empty
	// (TELEGRAM_SANDBOX_ADDR).
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
	// Replicas is how many delivery workers run in this process (they still take
	// one revision at a time between them, in publish order).
	Replicas int
	// Delivery tunes the delivery loop; Channel, Redact and Logger are set by the service.
	Delivery delivery.Config
	// Observe, when set, is told every delivery outcome of the Telegram channel (the
	// hub passes its metrics' Observe). Not read from the environment.
	Observe func(delivery.Outcome)
	// Topology of the bus (replicas, ack wait).
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

// sandboxLangs are the languages whose TELEGRAM_CHAT_ID_<LANG> is read.
var chatLangs = []string{"ca", "es", "en", "fr", "oc", "an", "eu", "gl", "pt", "it", "de", "ro", "ar", "zh", "uk", "ru", "ur", "wo"}

// LoadConfig reads the configuration from the environment through getenv (main passes
// os.Getenv) and validates it.
func LoadConfig(getenv func(string) string) (Config, error) {
	cfg := Config{
		Token:       strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN")),
		ChatID:      strings.TrimSpace(getenv("TELEGRAM_CHAT_ID")),
		ChatByLang:  map[string]string{},
		APIURL:      orDefault(getenv("TELEGRAM_API_URL"), DefaultAPIURL),
		WebBaseURL:  orDefault(getenv("WEB_BASE_URL"), DefaultWebBaseURL),
		SandboxAddr: orDefault(getenv("TELEGRAM_SANDBOX_ADDR"), DefaultSandboxAddr),
	}
	var errs []error
	topo, err := bus.LoadTopology(getenv)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.Topology = topo
	if f := getenv("TELEGRAM_BOT_TOKEN_FILE"); f != "" {
		if cfg.Token != "" {
			errs = append(errs, errors.New("set TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE, not both"))
		}
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("TELEGRAM_BOT_TOKEN_FILE: %w", err))
		}
		cfg.Token = strings.TrimSpace(string(data))
	}
	for _, lang := range chatLangs {
		if v := strings.TrimSpace(getenv("TELEGRAM_CHAT_ID_" + strings.ToUpper(lang))); v != "" {
			cfg.ChatByLang[lang] = v
		}
	}
	if v := getenv("TELEGRAM_CHATS"); v != "" {
		for item := range strings.SplitSeq(v, ",") {
			lang, chat, ok := strings.Cut(strings.TrimSpace(item), "=")
			if !ok {
				errs = append(errs, fmt.Errorf("TELEGRAM_CHATS: %q is not lang=chat", item))
				continue
			}
			cfg.ChatByLang[strings.TrimSpace(lang)] = strings.TrimSpace(chat)
		}
	}
	number := func(name string, def float64) float64 {
		v := getenv(name)
		if v == "" {
			return def
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a number", name, v))
		}
		return f
	}
	cfg.PerChatPerMinute = number("TELEGRAM_PER_CHAT_PER_MINUTE", DefaultPerChatPerMinute)
	cfg.GlobalPerSecond = number("TELEGRAM_GLOBAL_PER_SECOND", DefaultGlobalPerSecond)
	cfg.RequestTimeout = DefaultRequestTimeout
	if v := getenv("TELEGRAM_REQUEST_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("TELEGRAM_REQUEST_TIMEOUT: %q is not a duration (e.g. 30s)", v))
		}
		cfg.RequestTimeout = d
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("telegram config: %w", err)
	}
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

// defaults fills zero fields.
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
	if c.ChatID == "" && c.Token == "" {
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
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports every problem with the configuration at once. Its errors never
// contain the token.
func (c Config) Validate() error {
	var errs []error
	if c.Token != "" && !tokenRE.MatchString(c.Token) {
		errs = append(errs, errors.New("TELEGRAM_BOT_TOKEN: not a bot token (want <digits>:<secret>, as @BotFather gives it)"))
	}
	if c.Token != "" && c.ChatID == "" {
		errs = append(errs, errors.New("TELEGRAM_CHAT_ID: missing (e.g. @lapaeriaexplica or -1001234567890)"))
	}
	if c.ChatID != "" && !chatRE.MatchString(c.ChatID) {
		errs = append(errs, fmt.Errorf("TELEGRAM_CHAT_ID: %q is not a chat (want @name or a numeric id)", c.ChatID))
	}
	langs := make([]string, 0, len(c.ChatByLang))
	for l := range c.ChatByLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		if !langRE.MatchString(l) {
			errs = append(errs, fmt.Errorf("TELEGRAM_CHATS: %q is not a language code (e.g. es)", l))
		}
		if !chatRE.MatchString(c.ChatByLang[l]) {
			errs = append(errs, fmt.Errorf("TELEGRAM_CHAT_ID_%s: %q is not a chat (want @name or a numeric id)", strings.ToUpper(l), c.ChatByLang[l]))
		}
	}
	for name, u := range map[string]string{"TELEGRAM_API_URL": c.APIURL, "WEB_BASE_URL": c.WebBaseURL} {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s: %q is not an http(s) URL", name, u))
		}
	}
	if c.Token == "" {
		if _, _, err := net.SplitHostPort(c.SandboxAddr); err != nil {
			errs = append(errs, fmt.Errorf("TELEGRAM_SANDBOX_ADDR: %q is not host:port", c.SandboxAddr))
		}
	}
	if c.RequestTimeout < 0 {
		errs = append(errs, errors.New("TELEGRAM_REQUEST_TIMEOUT: must be positive"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("telegram config: %w", err)
	}
	return nil
}

// chatFor is the chat that carries bulletins in lang.
func (c Config) chatFor(lang string) string {
	if chat, ok := c.ChatByLang[lang]; ok {
		return chat
	}
	return c.ChatID
}
