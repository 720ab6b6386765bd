package poster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// groupPub is one publish of a member of the group "confinament", and the state its
// record reaches.
type groupPub struct {
	id, lang string
	want     delivery.State
}

const skipES = "translation: the channel carries the group's Catalan version; set TELEGRAM_CHAT_ID_ES to post Spanish to its own chat"

// A Catalan and Spanish pair of one group, through the worker and the sandbox: with one
// chat only the version in TELEGRAM_LANG is posted, and the other is skipped with a
// reason staff can act on; with a Spanish chat each goes to its own.
func TestTranslationsWithOneChatOrTwo(t *testing.T) {
	cases := []struct {
		name   string
		byLang map[string]string // nil: one chat
		lang   string            // TELEGRAM_LANG; "" is the default, ca
		before []groupPub        // published before the worker starts
		after  []groupPub        // published one at a time once it runs
		reason map[string]string // id → the skip reason its record gives
		chats  map[string]int    // chat → messages it shows at the end
	}{
		{name: "one_chat_posts_catalan_only",
			after:  []groupPub{{"confinament", "ca", delivery.Delivered}, {"confinamiento", "es", delivery.Skipped}},
			reason: map[string]string{"confinamiento": skipES},
			chats:  map[string]int{chatCA: 1, chatES: 0}},
		{name: "spanish_chat_posts_both",
			byLang: map[string]string{"es": chatES},
			after:  []groupPub{{"confinament", "ca", delivery.Delivered}, {"confinamiento", "es", delivery.Delivered}},
			chats:  map[string]int{chatCA: 1, chatES: 1}},
		{name: "spanish_published_first_but_catalan_already_on_the_bus",
			before: []groupPub{{"confinamiento", "es", delivery.Skipped}, {"confinament", "ca", delivery.Delivered}},
			reason: map[string]string{"confinamiento": skipES},
			chats:  map[string]int{chatCA: 1}},
		{name: "spanish_alone_is_posted",
			after: []groupPub{{"confinamiento", "es", delivery.Delivered}},
			chats: map[string]int{chatCA: 1}},
		{name: "spanish_chosen",
			lang:   "es",
			after:  []groupPub{{"confinament", "ca", delivery.Delivered}, {"confinamiento", "es", delivery.Delivered}, {"confinament", "ca", delivery.Skipped}},
			reason: map[string]string{"confinament": "translation: the channel carries the group's Spanish version; set TELEGRAM_CHAT_ID_CA to post Catalan to its own chat"},
			chats:  map[string]int{chatCA: 1}},
		{name: "posted_translation_edited_after_the_catalan_is_taken_down",
			after: []groupPub{{"confinamiento", "es", delivery.Delivered}, {"confinament", "ca", delivery.Delivered},
				{"confinamiento", "es", delivery.Skipped}},
			reason: map[string]string{"confinamiento": skipES},
			chats:  map[string]int{chatCA: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Config{})
			cfg := e.config()
			cfg.ChatByLang, cfg.Lang = c.byLang, c.lang
			revs := map[string]int{}
			publish := func(p groupPub) {
				t.Helper()
				revs[p.id]++
				b := &bulletin.Bulletin{ID: p.id, Lang: p.lang, Group: "confinament", Channels: []string{bulletin.Telegram},
					Title: fmt.Sprintf("%s (%s) v%d", p.id, p.lang, revs[p.id]), Body: "Text."}
				if _, err := e.pub.Publish(context.Background(), b, "test"); err != nil {
					t.Fatalf("publish %s: %v", p.id, err)
				}
			}
			for _, p := range c.before {
				publish(p)
			}
			e.start(cfg)
			for _, p := range c.before {
				e.wait(p.id, revs[p.id], p.want)
			}
			for _, p := range c.after {
				publish(p)
				e.wait(p.id, revs[p.id], p.want)
			}
			for id, reason := range c.reason {
				if rec := e.record(id); !strings.HasSuffix(rec.Error, reason) {
					t.Errorf("%s: record says %q, want %q", id, rec.Error, reason)
				}
			}
			for chat, n := range c.chats {
				if texts := e.texts(chat); len(texts) != n {
					t.Errorf("%s shows %d messages, want %d: %q", chat, len(texts), n, texts)
				}
			}
		})
	}
}
