package tghtml

import "time"

// RoutingKey is the key of the Telegram service's routing profile in its
// TELEGRAM_POSTS bucket (bulletin ids never hold a dot, so it meets none of theirs).
// The service writes it at start; the editor reads it to tell staff, before they
// publish, which chat a bulletin goes to.
const RoutingKey = "routing.profile"

// Routing is where the Telegram service posts each language (services/telegram: its
// TELEGRAM_CHAT_ID, TELEGRAM_CHAT_ID_<LANG>/TELEGRAM_CHATS and TELEGRAM_LANG).
type Routing struct {
	// Default is the chat of every language without one of its own.
	Default string `json:"default"`
	// Lang is the language of a group the default chat carries.
	Lang string `json:"lang"`
	// Chats are the chats of languages that have their own.
	Chats map[string]string `json:"chats,omitempty"`
	// Sandbox: posts go to the local Bot API sandbox, not to Telegram.
	Sandbox bool      `json:"sandbox,omitempty"`
	Updated time.Time `json:"updated"`
}

// Route is where a bulletin in one language goes.
type Route struct {
	// Chat is the chat it is posted to.
	Chat string
	// Own is set when the language has a chat of its own.
	Own bool
	// Translation is set when it is posted only if its group has no version in Lang
	// on the channel: the default chat carries one version of a group, in Lang.
	Translation bool
	// Lang is the language the default chat carries.
	Lang    string
	Sandbox bool
}

// Route says where a bulletin in lang goes, by the same rule the service applies.
func (r Routing) Route(lang string) Route {
	out := Route{Chat: r.Default, Lang: r.Lang, Sandbox: r.Sandbox}
	if chat, ok := r.Chats[lang]; ok {
		out.Chat, out.Own = chat, true
	}
	defaultCarriesLang := true
	if chat, ok := r.Chats[r.Lang]; ok && chat != r.Default {
		defaultCarriesLang = false
	}
	out.Translation = !out.Own && lang != r.Lang && defaultCarriesLang
	return out
}
