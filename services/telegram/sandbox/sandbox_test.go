package sandbox_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/paeria/pregoner/services/telegram/sandbox"
)

const token = "123456:SANDBOX-test-token"

// clock is a test clock that moves with real time plus an offset the test can add.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func start(t *testing.T, cfg sandbox.Config) (*sandbox.Server, *httptest.Server, *bot.Bot) {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = token
	}
	sb := sandbox.New(cfg)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	b, err := bot.New(token, bot.WithServerURL(srv.URL), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return sb, srv, b
}

func send(b *bot.Bot, chat, html string) (int, error) {
	m, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat, Text: html, ParseMode: "HTML"})
	if err != nil {
		return 0, err
	}
	return m.ID, nil
}

func TestSendEditDeleteWithTheRealClient(t *testing.T) {
	sb, _, b := start(t, sandbox.Config{})
	ctx := context.Background()
	id, err := send(b, "@lapaeriaexplica", "<b>Avís</b>\n\nQuedeu-vos a casa &amp; rentau-vos les mans.")
	if err != nil {
		t.Fatal(err)
	}
	if id != 1 {
		t.Errorf("first message id = %d", id)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: "@lapaeriaexplica", MessageID: id, Text: "<b>Avís</b> corregit", ParseMode: "HTML"}); err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: "@lapaeriaexplica", MessageID: id, Text: "<b>Avís</b> corregit", ParseMode: "HTML"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("same edit again: %v, want message is not modified", err)
	}
	msgs := sb.Messages("@lapaeriaexplica")
	if len(msgs) != 1 || msgs[0].Text != "Avís corregit" || msgs[0].Edited.IsZero() {
		t.Fatalf("chat shows %+v", msgs)
	}
	if ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: "@lapaeriaexplica", MessageID: id}); err != nil || !ok {
		t.Fatalf("delete: %v %v", ok, err)
	}
	_, err = b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: "@lapaeriaexplica", MessageID: id})
	if !strings.Contains(fmtErr(err), "message to delete not found") {
		t.Errorf("second delete: %v", err)
	}
	if msgs := sb.Messages("@lapaeriaexplica"); len(msgs) != 0 {
		t.Errorf("deleted message still shown: %+v", msgs)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRefusesWhatTelegramRefuses(t *testing.T) {
	_, _, b := start(t, sandbox.Config{Chats: []string{"@lapaeriaexplica"}})
	tests := []struct {
		name, chat, html, want string
	}{
		{"paragraph_tag", "@lapaeriaexplica", "<p>Hola</p>", "can't parse entities"},
		{"br_tag", "@lapaeriaexplica", "a<br>b", "can't parse entities"},
		{"bare_ampersand", "@lapaeriaexplica", "Sant Joan & Sant Pere", "can't parse entities"},
		{"too_long_after_parsing", "@lapaeriaexplica", strings.Repeat("😷", 2049), "message is too long"},
		{"empty", "@lapaeriaexplica", "<b> </b>", "message text is empty"},
		{"unknown_chat", "@unaltre", "Hola", "chat not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := send(b, tt.chat, tt.html)
			if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want 400 %q", err, tt.want)
			}
		})
	}
	// 4096 characters of text in far more bytes of markup are fine.
	if _, err := send(b, "@lapaeriaexplica", strings.Repeat("<b>&amp;</b>", 4096)); err != nil {
		t.Errorf("4096 characters after parsing refused: %v", err)
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	_, srv, _ := start(t, sandbox.Config{})
	other, err := bot.New("999:other", bot.WithServerURL(srv.URL), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	_, err = send(other, "@x", "hola")
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Errorf("err = %v, want unauthorized", err)
	}
}

func TestDeleteAfter48HoursIsRefusedButEditWorks(t *testing.T) {
	var clk clock
	_, _, b := start(t, sandbox.Config{Now: clk.Now})
	ctx := context.Background()
	id, err := send(b, "@c", "vell")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(48*time.Hour + time.Minute)
	_, err = b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: "@c", MessageID: id})
	if !strings.Contains(fmtErr(err), "message can't be deleted") {
		t.Fatalf("delete after 48h: %v", err)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: "@c", MessageID: id, Text: "retirat", ParseMode: "HTML"}); err != nil {
		t.Errorf("edit after 48h: %v", err)
	}
}

func TestPerChatLimitAnswers429AndFlagsEarlyRequests(t *testing.T) {
	sb, _, b := start(t, sandbox.Config{PerChat: 3, PerChatWindow: time.Hour})
	for i := range 3 {
		if _, err := send(b, "@c", "ok"); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	_, err := send(b, "@c", "massa")
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter < 3590 {
		t.Fatalf("4th send: %v, want 429 with retry_after about an hour", err)
	}
	if _, err := send(b, "@altre", "un altre xat"); err != nil {
		t.Errorf("another chat is not limited: %v", err)
	}
	_, _ = send(b, "@c", "encara massa d'hora")
	var early int
	for _, r := range sb.Requests() {
		if r.Early {
			early++
		}
	}
	if early != 1 {
		t.Errorf("early requests = %d, want 1 (the one sent before retry_after expired)", early)
	}
}

func TestFaultsLoseNothingAndApplyNothing(t *testing.T) {
	sb, srv, _ := start(t, sandbox.Config{})
	sb.InjectFaults(func(method string, n int) sandbox.Fault {
		switch n {
		case 1:
			return sandbox.Fault{Status: http.StatusBadGateway}
		case 2:
			return sandbox.Fault{Reset: true}
		case 3:
			return sandbox.Fault{Delay: time.Hour}
		}
		return sandbox.Fault{}
	})
	client := &http.Client{Timeout: time.Second}
	b, _ := bot.New(token, bot.WithServerURL(srv.URL), bot.WithSkipGetMe(), bot.WithHTTPClient(time.Second, client))
	for i := range 3 {
		if _, err := send(b, "@c", "hola"); err == nil {
			t.Errorf("faulted request %d succeeded", i+1)
		}
	}
	if msgs := sb.Messages("@c"); len(msgs) != 0 {
		t.Errorf("faulted requests were applied: %+v", msgs)
	}
	if _, err := send(b, "@c", "hola"); err != nil {
		t.Fatal(err)
	}
	if n := len(sb.Messages("@c")); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestJSONRequestsAndThePage(t *testing.T) {
	_, srv, _ := start(t, sandbox.Config{})
	body := `{"chat_id":"@lapaeriaexplica","text":"<b>Hola</b> &lt;script&gt;","parse_mode":"HTML"}`
	resp, err := http.Post(srv.URL+"/bot"+token+"/sendMessage", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"ok":true`) {
		t.Fatalf("json send: %d %s", resp.StatusCode, data)
	}
	resp, err = http.Post(srv.URL+"/bot"+token+"/sendMessage", "application/json", strings.NewReader(`{"chat_id":"@lapaeriaexplica","text":"<script>x</script>"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"@lapaeriaexplica", "<b>Hola</b> &lt;script&gt;", "&lt;script&gt;x&lt;/script&gt;"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(string(page), token) {
		t.Error("page shows the token")
	}
}

func TestBadRequestsGetAClearErrorAndChangeNothing(t *testing.T) {
	sb, srv, _ := start(t, sandbox.Config{})
	tests := []struct {
		name, method, ctype, body string
		status                    int
		want                      string
	}{
		{"not_json", "sendMessage", "application/json", "{", 400, "not a JSON object"},
		{"json_array", "sendMessage", "application/json", "[1]", 400, "not a JSON object"},
		{"no_chat", "sendMessage", "application/json", `{"text":"x"}`, 400, "chat_id is empty"},
		{"no_text", "sendMessage", "application/json", `{"chat_id":"@c"}`, 400, "message text is empty"},
		{"bad_message_id", "editMessageText", "application/json", `{"chat_id":"@c","message_id":"x","text":"y"}`, 400, "message to edit not found"},
		{"message_id_out_of_range", "deleteMessage", "application/x-www-form-urlencoded", "chat_id=@c&message_id=99999999999999999999", 400, "message to delete not found"},
		{"markdown_mode", "sendMessage", "application/json", `{"chat_id":"@c","text":"*x*","parse_mode":"MarkdownV2"}`, 400, "unsupported parse_mode"},
		{"deep_nesting", "sendMessage", "application/json", `{"chat_id":"@c","parse_mode":"HTML","text":"` + strings.Repeat("<b>", 5000) + `x"}`, 400, "nested"},
		{"broken_multipart", "sendMessage", "multipart/form-data; boundary=zz", "--zz\r\nbroken", 400, "multipart"},
		{"photo_without_photo", "sendPhoto", "application/json", `{"chat_id":"@c","caption":"x"}`, 400, "no photo"},
		{"caption_too_long", "sendPhoto", "application/json", `{"chat_id":"@c","photo":"https://a.cat/p.png","caption":"` + strings.Repeat("a", 1025) + `"}`, 400, "caption is too long"},
		{"unknown_method", "sendDice", "application/json", `{"chat_id":"@c"}`, 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+"/bot"+token+"/"+tt.method, tt.ctype, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(data), tt.want) || !strings.Contains(string(data), `"ok":false`) {
				t.Errorf("%d %s, want %d with %q", resp.StatusCode, data, tt.status, tt.want)
			}
		})
	}
	if msgs := sb.Messages("@c"); len(msgs) != 0 {
		t.Errorf("bad requests left messages: %+v", msgs)
	}
	// A photo with a caption that fits is fine.
	resp, err := http.Post(srv.URL+"/bot"+token+"/sendPhoto", "application/json",
		strings.NewReader(`{"chat_id":"@c","photo":"https://a.cat/p.png","caption":"<b>Mapa</b>","parse_mode":"HTML"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if msgs := sb.Messages("@c"); len(msgs) != 1 || msgs[0].Text != "Mapa" || msgs[0].Photo == "" {
		t.Errorf("photo: %+v", msgs)
	}
}
