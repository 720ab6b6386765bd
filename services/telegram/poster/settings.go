package poster

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/settings"
)

// chatLangs are the languages whose TELEGRAM_CHAT_ID_<LANG> is read; TELEGRAM_CHATS
// takes any language code.
var chatLangs = []string{"ca", "es", "en", "fr", "oc", "an", "eu", "gl", "pt", "it", "de", "ro", "ar", "zh", "uk", "ru", "ur", "wo"}

// Settings binds every environment variable of the service to its field of c, with its
// default and check. It drives LoadConfig, --help and the README's table.
func (c *Config) Settings() settings.Table {
	t := settings.Table{
		{Var: "TELEGRAM_BOT_TOKEN", Meaning: "bot token from @BotFather, for the real channel",
			Secret: true, File: true,
			Parse: settings.Match(&c.Token, tokenRE, "<digits>:<secret>, as @BotFather gives it")},
		{Var: "TELEGRAM_SANDBOX", Default: "0",
			Meaning: "1: post to the local Bot API sandbox instead of Telegram (only without a token; records say sandbox)",
			Parse:   settings.Bool(&c.Sandbox)},
		{Var: "TELEGRAM_SANDBOX_ADDR", Default: DefaultSandboxAddr, Meaning: "where the sandbox and its page listen",
			Parse: settings.Addr(&c.SandboxAddr)},
		{Var: "TELEGRAM_CHAT_ID",
			Meaning: "default chat: @name or numeric id (-100…); required with a token, " + DefaultSandboxChat + " in the sandbox",
			Parse:   kept(&c.ChatID, settings.Match(new(string), chatRE, "@name or a numeric chat id such as -1001234567890"))},
		{Var: "TELEGRAM_CHATS",
			Meaning: "chats by language as one list, e.g. es=@lapaeriaexplica_es,en=-1001234567890 (any language code)",
			Parse:   c.chatList},
		{Var: "TELEGRAM_LANG", Default: DefaultLang,
			Meaning: "the language of a group the default chat carries; a translation without a chat of its own is skipped when its group has one in it",
			Parse:   settings.Match(&c.Lang, langRE, "a language code such as ca")},
		{Var: "TELEGRAM_API_URL", Default: DefaultAPIURL, Meaning: "Bot API base URL", Parse: settings.URL(&c.APIURL)},
		{Var: "WEB_BASE_URL", Default: DefaultWebBaseURL, Meaning: "the public page; permalinks are WEB_BASE_URL/bulletins/{id}",
			Parse: settings.URL(&c.WebBaseURL)},
		{Var: "TELEGRAM_WORKERS", Default: "1",
			Meaning: "delivery workers in this process (the channel takes one revision at a time: extras stand by)",
			Parse:   settings.Int(&c.Workers, 1, 16)},
		{Var: "TELEGRAM_PER_CHAT_PER_MINUTE", Default: strconv.Itoa(DefaultPerChatPerMinute),
			Meaning: "requests a minute to one chat (Telegram allows about 20); -1 turns pacing off",
			Parse:   pace(&c.PerChatPerMinute)},
		{Var: "TELEGRAM_GLOBAL_PER_SECOND", Default: strconv.Itoa(DefaultGlobalPerSecond),
			Meaning: "requests a second over all chats (Telegram allows about 30); -1 turns pacing off",
			Parse:   pace(&c.GlobalPerSecond)},
		{Var: "TELEGRAM_REQUEST_TIMEOUT", Default: DefaultRequestTimeout.String(),
			Meaning: "bound on one Bot API call (a hung call is retried)",
			Parse:   settings.Duration(&c.RequestTimeout, minRequestTimeout, maxRequestTimeout)},
	}
	for _, lang := range chatLangs {
		t = append(t, settings.Setting{Var: "TELEGRAM_CHAT_ID_" + strings.ToUpper(lang),
			Meaning: "chat for bulletins with lang: " + lang + " (unset: TELEGRAM_CHATS, else TELEGRAM_CHAT_ID)",
			Parse:   c.langChat(lang)})
	}
	return t
}

// LoadConfig reads the configuration through getenv (os.Getenv, or the hub's view of
// it): the settings table, the bus's replicas, then the checks across settings. It
// reports every problem at once, each as "VAR: what (want what)", never the token.
func LoadConfig(getenv func(string) string) (Config, error) {
	var cfg Config
	errs := []error{cfg.Settings().Load(getenv), loadTopology(getenv, &cfg)}
	cfg.defaults()
	given := func(v string) bool { return strings.TrimSpace(getenv(v)) != "" }
	errs = append(errs, cfg.problems(given("TELEGRAM_BOT_TOKEN") || given("TELEGRAM_BOT_TOKEN_FILE"))...)
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("telegram settings: %w", err)
	}
	return cfg, nil
}

// loadTopology reads NATS_REPLICAS with the bus's own row, so its check and message are
// the ones service.Main gives (Env does not carry what Main read).
func loadTopology(getenv func(string) string, cfg *Config) error {
	var conn bus.ConnConfig
	return bus.Settings(&conn, &cfg.Topology).Load(getenv)
}

// Bounds of TELEGRAM_REQUEST_TIMEOUT: a call needs some time; a longer one than this
// holds the channel's queue for nothing.
const (
	minRequestTimeout = 100 * time.Millisecond
	maxRequestTimeout = 5 * time.Minute
)

// kept stores the value before check judges it, so that a setting given but refused
// still counts as given in the checks across settings: a malformed chat is reported as
// malformed, not also as missing.
func kept(dst *string, check func(string) error) func(string) error {
	return func(v string) error {
		*dst = v
		return check(v)
	}
}

// pace stores a rate: positive, or negative to turn pacing off. Zero is refused: it
// would stop every request.
func pace(dst *float64) func(string) error {
	return func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%q is not a rate (want a positive number, or -1 to turn pacing off)", v)
		}
		*dst = f
		return nil
	}
}

// chatList parses TELEGRAM_CHATS: lang=chat items separated by commas.
func (c *Config) chatList(v string) error {
	for item := range strings.SplitSeq(v, ",") {
		lang, chat, ok := strings.Cut(strings.TrimSpace(item), "=")
		lang, chat = strings.TrimSpace(lang), strings.TrimSpace(chat)
		if !ok || !langRE.MatchString(lang) || !chatRE.MatchString(chat) {
			return fmt.Errorf("%q is not lang=chat (want e.g. es=@lapaeriaexplica_es,en=-1001234567890)", item)
		}
		if err := c.setChat(lang, chat); err != nil {
			return err
		}
	}
	return nil
}

// langChat parses TELEGRAM_CHAT_ID_<LANG>.
func (c *Config) langChat(lang string) func(string) error {
	return func(v string) error {
		if !chatRE.MatchString(v) {
			return fmt.Errorf("%q is not a chat (want @name or a numeric chat id such as -1001234567890)", v)
		}
		return c.setChat(lang, v)
	}
}

// setChat routes lang to chat; a language given two different chats is refused rather
// than one of them silently winning.
func (c *Config) setChat(lang, chat string) error {
	if c.ChatByLang == nil {
		c.ChatByLang = map[string]string{}
	}
	if old, ok := c.ChatByLang[lang]; ok && old != chat {
		return fmt.Errorf("%q for %s, but another setting gives %s (want one chat per language)", chat, lang, old)
	}
	c.ChatByLang[lang] = chat
	return nil
}
