package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/paeria/pregoner/services/telegram/sandbox"
)

func TestLostReplyIsCarriedOutButNeverAnswered(t *testing.T) {
	sb, srv, b := start(t, sandbox.Config{})
	sb.LoseReplies(sandbox.Loss{Method: "sendMessage", Skip: 1, Next: 2})
	var errs []error
	for _, text := range []string{"u", "dos", "tres", "quatre"} {
		_, err := send(b, "@c", text)
		errs = append(errs, err)
	}
	if errs[0] != nil || errs[3] != nil {
		t.Errorf("skipped and later sends failed: %v, %v", errs[0], errs[3])
	}
	for _, err := range errs[1:3] {
		// No answer at all: not a Bot API error the client could read as a refusal.
		if err == nil || errors.Is(err, bot.ErrorBadRequest) || strings.Contains(err.Error(), "error response") {
			t.Errorf("lost reply gave %v, want a connection error", err)
		}
	}
	var texts []string
	for _, m := range sb.Messages("@c") {
		texts = append(texts, m.Text)
	}
	if want := []string{"u", "dos", "tres", "quatre"}; !slices.Equal(texts, want) {
		t.Errorf("chat shows %q, want every send carried out: %q", texts, want)
	}
	var lost []bool
	for _, r := range sb.Requests() {
		lost = append(lost, r.Lost)
	}
	if !slices.Equal(lost, []bool{false, true, true, false}) {
		t.Errorf("requests flagged lost: %v", lost)
	}

	// A fault that carries the request out and holds the answer until the client gives up.
	sb.InjectFaults(func(method string, n int) sandbox.Fault {
		return sandbox.Fault{LoseReply: true, Delay: time.Hour}
	})
	impatient, _ := bot.New(token, bot.WithServerURL(srv.URL), bot.WithSkipGetMe(),
		bot.WithHTTPClient(300*time.Millisecond, &http.Client{Timeout: 300 * time.Millisecond}))
	if _, err := send(impatient, "@c", "cinc"); err == nil {
		t.Error("a held reply arrived")
	}
	if msgs := sb.Messages("@c"); len(msgs) != 5 || msgs[4].Text != "cinc" {
		t.Errorf("the held send was not carried out: %d messages", len(msgs))
	}
}

func TestLossRateIsSeeded(t *testing.T) {
	lostAt := func(seed uint64) []int {
		sb, _, b := start(t, sandbox.Config{PerChat: -1, Global: -1})
		sb.LoseReplies(sandbox.Loss{Method: "sendMessage", Rate: 0.2, Seed: seed})
		for range 100 {
			_, _ = send(b, "@c", "x")
		}
		var at []int
		for i, r := range sb.Requests() {
			if r.Lost {
				at = append(at, i)
			}
		}
		if n := len(sb.Messages("@c")); n != 100 {
			t.Errorf("%d messages, want every send carried out", n)
		}
		return at
	}
	a, b := lostAt(7), lostAt(7)
	if !slices.Equal(a, b) || len(a) < 5 || len(a) > 40 {
		t.Errorf("seed 7 lost %v, then %v: want the same, about 20", a, b)
	}
	if c := lostAt(8); slices.Equal(a, c) {
		t.Errorf("seeds 7 and 8 lost the same requests")
	}
}

func TestOnlyPostsTheBotMayEditCanBeEdited(t *testing.T) {
	const chat = "@lapaeriaexplica"
	tests := []struct {
		name      string
		cfg       sandbox.Config
		status    models.ChatMemberType
		canEdit   bool
		colleague string // what editing the colleague's post answers ("" = edited)
	}{
		{"administrator", sandbox.Config{}, models.ChatMemberTypeAdministrator, false, "Bad Request: message can't be edited"},
		{"administrator_with_can_edit_messages", sandbox.Config{CanEditMessages: true}, models.ChatMemberTypeAdministrator, true, ""},
		{"creator", sandbox.Config{Creator: true}, models.ChatMemberTypeOwner, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb, _, b := start(t, tt.cfg)
			ctx := context.Background()
			me, err := b.GetMe(ctx)
			if err != nil || me.ID != sandbox.BotID {
				t.Fatalf("getMe = %+v, %v", me, err)
			}
			m, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: chat, UserID: me.ID})
			if err != nil || m.Type != tt.status {
				t.Fatalf("getChatMember = %+v, %v; want %s", m, err, tt.status)
			}
			if m.Administrator != nil && m.Administrator.CanEditMessages != tt.canEdit {
				t.Errorf("can_edit_messages = %v, want %v", m.Administrator.CanEditMessages, tt.canEdit)
			}
			own, err := send(b, chat, "<b>Avís</b> de la Paeria")
			if err != nil {
				t.Fatal(err)
			}
			theirs := sb.PostByHand(chat, "<b>Avís</b> de la Paeria")
			if theirs != own+1 {
				t.Errorf("colleague's post took id %d, want the next one, %d", theirs, own+1)
			}
			edit := func(id int) string {
				_, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat, MessageID: id, Text: "<b>Avís</b> de la Paeria", ParseMode: "HTML"})
				if err == nil {
					return ""
				}
				return err.Error()
			}
			// Exactly as Telegram words them, behind the library's "bad request, " prefix.
			if got := edit(own); !strings.HasSuffix(got, ", Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message") {
				t.Errorf("own post, same text: %q", got)
			}
			if got := edit(theirs + 1); !strings.HasSuffix(got, ", Bad Request: message to edit not found") {
				t.Errorf("next id: %q", got)
			}
			got := edit(theirs)
			if tt.colleague == "" && strings.Contains(got, "can't be edited") || tt.colleague != "" && !strings.HasSuffix(got, ", "+tt.colleague) {
				t.Errorf("colleague's post, same text: %q, want %q", got, tt.colleague)
			}
		})
	}
}
