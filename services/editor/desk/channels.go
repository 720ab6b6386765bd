package desk

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/tghtml"
)

// TelegramRoute is where the Telegram service posts a bulletin in one language, as it
// published its routing (tghtml.Routing): staff learn before publishing which chat a
// bulletin reaches, or that a translation may not be posted at all.
type TelegramRoute struct {
	tghtml.Route
	// Lang is the bulletin's language (the Route's Lang is the default chat's).
	BulletinLang string
}

// routes caches the Telegram service's routing profile, read from its TELEGRAM_POSTS
// bucket (key tghtml.RoutingKey), which the editor may read. The profile changes only
// when the Telegram service restarts with other settings, so it is read at most every
// routesTTL.
type routes struct {
	kv jetstream.KeyValue // nil: the bucket is not there (no Telegram set-up)
	mu sync.Mutex
	r  *tghtml.Routing
	at time.Time
}

const routesTTL = 30 * time.Second

func newRoutes(ctx context.Context, js jetstream.JetStream) *routes {
	kv, err := js.KeyValue(ctx, bus.BucketTelegramPosts)
	if err != nil {
		return &routes{} // optional: the compose page then says nothing of Telegram
	}
	return &routes{kv: kv}
}

// get returns the profile, nil when the Telegram service has published none.
func (rs *routes) get(ctx context.Context, now time.Time) (*tghtml.Routing, error) {
	if rs == nil || rs.kv == nil {
		return nil, nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if !rs.at.IsZero() && now.Sub(rs.at) < routesTTL {
		return rs.r, nil
	}
	e, err := rs.kv.Get(ctx, tghtml.RoutingKey)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		rs.r, rs.at = nil, now
		return nil, nil
	case err != nil:
		return nil, err
	}
	var r tghtml.Routing
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return nil, err
	}
	rs.r, rs.at = &r, now
	return &r, nil
}

// TelegramRoute says where Telegram posts a bulletin in lang; nil when the Telegram
// service has not said how it routes (not running yet, or an older version) or the
// profile cannot be read (logged): the compose page then says nothing rather than
// something that may be wrong.
func (d *Desk) TelegramRoute(ctx context.Context, lang string) *TelegramRoute {
	r, err := d.routes.get(ctx, d.now())
	if err != nil {
		d.log.Warn("could not read Telegram's routing profile", "err", err)
		return nil
	}
	return routeOf(r, lang)
}

// routeOf is the route of a bulletin in lang under r (nil: unknown).
func routeOf(r *tghtml.Routing, lang string) *TelegramRoute {
	if r == nil || lang == "" {
		return nil
	}
	return &TelegramRoute{Route: r.Route(lang), BulletinLang: lang}
}

// Line is what the compose page says of the route, in the catalogue's words: where the
// bulletin goes, or, for a translation the default chat may not carry, when it does not.
func (r *TelegramRoute) Line() i18n.Msg {
	if r.Translation {
		return i18n.M("channels.tgOnlyIf", i18n.W("lang", r.BulletinLang), r.Chat, i18n.W("lang", r.Lang))
	}
	return i18n.M("channels.tgTo", r.Chat)
}
