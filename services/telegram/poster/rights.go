package poster

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Notes staff read on a delivery record when a chat is delivered at least once.
const (
	noteEditsOthers = "at-least-once: the bot may edit other admins' posts, so after a lost reply a post may repeat; " +
		"remove can_edit_messages from the bot to get exactly-once"
	noteCreator = "at-least-once: the bot owns the channel and may edit other admins' posts, so after a lost reply " +
		"a post may repeat; make another account the owner and the bot an administrator without can_edit_messages"
	noteNotAdmin = "at-least-once: the bot is not an administrator of the channel, so after a lost reply a post may repeat"
	noteUnknown  = "at-least-once: the bot's rights in the channel could not be checked, so after a lost reply a post may repeat"
)

// How long a rights answer is trusted for the note; a probe always asks afresh.
const (
	rightsTTL       = 10 * time.Minute
	rightsFailedTTL = time.Minute
)

// access is whether lost sends may be looked for in a chat.
type access struct {
	// probe is true when the bot cannot edit other administrators' posts: a probing
	// edit can then only change the bot's own posts, never a colleague's.
	probe bool
	// note says why not, for staff ("" when probe is true).
	note string
	at   time.Time
	ttl  time.Duration
}

// rights looks up, and caches per chat, whether the bot may edit other administrators'
// posts (getMe, then getChatMember). It is safe for concurrent use.
type rights struct {
	api *client
	log *slog.Logger

	mu    sync.Mutex
	botID int64
	chats map[string]access
}

func newRights(api *client, log *slog.Logger) *rights {
	return &rights{api: api, log: log, chats: map[string]access{}}
}

// check returns the chat's access: cached, unless fresh is set or the answer is old.
// A failed lookup means no probing (the note says so) and is tried again a minute later.
func (r *rights) check(ctx context.Context, chat string, fresh bool) access {
	r.mu.Lock()
	a, ok := r.chats[chat]
	r.mu.Unlock()
	if ok && !fresh && time.Since(a.at) < a.ttl {
		return a
	}
	a, err := r.lookup(ctx, chat)
	if err != nil {
		r.log.Warn("could not check the bot's rights in the chat: delivering at least once there", "chat", chat, "err", err)
		a = access{note: noteUnknown, ttl: rightsFailedTTL}
	}
	a.at = time.Now()
	if ctx.Err() == nil {
		r.mu.Lock()
		prev, seen := r.chats[chat]
		r.chats[chat] = a
		r.mu.Unlock()
		if !a.probe && err == nil && (!seen || prev.probe || prev.note != a.note) {
			r.log.Warn("delivering at least once: "+a.note, "chat", chat)
		}
	}
	return a
}

func (r *rights) lookup(ctx context.Context, chat string) (access, error) {
	id, err := r.me(ctx)
	if err != nil {
		return access{}, err
	}
	var m *models.ChatMember
	err = r.api.do(ctx, chat, "check the bot's rights in "+chat, func(ctx context.Context) error {
		var err error
		m, err = r.api.bot.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: chat, UserID: id})
		return err
	})
	if err != nil {
		return access{}, err
	}
	switch {
	case m.Type == models.ChatMemberTypeOwner:
		return access{note: noteCreator, ttl: rightsTTL}, nil
	case m.Type != models.ChatMemberTypeAdministrator || m.Administrator == nil:
		return access{note: noteNotAdmin, ttl: rightsTTL}, nil
	case m.Administrator.CanEditMessages:
		return access{note: noteEditsOthers, ttl: rightsTTL}, nil
	}
	return access{probe: true, ttl: rightsTTL}, nil
}

// me is the bot's user id (getMe, once).
func (r *rights) me(ctx context.Context) (int64, error) {
	r.mu.Lock()
	id := r.botID
	r.mu.Unlock()
	if id != 0 {
		return id, nil
	}
	var u *models.User
	// getMe is about no chat: it is paced on a gate of its own.
	err := r.api.do(ctx, "", "getMe", func(ctx context.Context) error {
		var err error
		u, err = r.api.bot.GetMe(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	if u == nil || u.ID == 0 {
		return 0, fmt.Errorf("telegram: getMe gave no bot id")
	}
	r.mu.Lock()
	r.botID = u.ID
	r.mu.Unlock()
	return u.ID, nil
}
