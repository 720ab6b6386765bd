package poster

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/tghtml"
)

// routing is the profile of where this service posts each language, for the editor to
// tell staff before they publish (tghtml.Routing).
func (cfg Config) routing() tghtml.Routing {
	r := tghtml.Routing{Default: cfg.ChatID, Lang: cfg.Lang, Chats: map[string]string{}, Sandbox: cfg.Sandbox,
		Updated: cfg.Now().UTC()}
	maps.Copy(r.Chats, cfg.ChatByLang)
	return r
}

// publishRouting writes the routing profile to TELEGRAM_POSTS (key tghtml.RoutingKey),
// where the editor reads it. Failing to is logged: the editor then says nothing of
// Telegram's routing, which loses no bulletin.
func (s *Service) publishRouting(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	data, err := json.Marshal(s.cfg.routing())
	if err == nil {
		_, err = s.channel.posts.kv.Put(ctx, tghtml.RoutingKey, data)
	}
	if err != nil {
		s.log.Warn("could not publish the routing profile for the editor", "err", err)
	}
}

// distinct lists the non-empty chats among a and b, once each.
func distinct(a, b string) []string {
	switch {
	case a == "" || a == b:
		return []string{b}
	case b == "":
		return []string{a}
	}
	return []string{a, b}
}

// publicPostURL is t.me's link to a post in a public channel.
func publicPostURL(chat string, id int) string {
	if name, ok := strings.CutPrefix(chat, "@"); ok {
		return "https://t.me/" + name + "/" + strconv.Itoa(id)
	}
	return ""
}
