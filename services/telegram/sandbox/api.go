package sandbox

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/tghtml"
)

// Message is one post in a sandbox chat.
type Message struct {
	ID int `json:"message_id"`
	// HTML is the text (or caption) as sent, in its parse mode; Text is what shows.
	HTML      string    `json:"html"`
	ParseMode string    `json:"parse_mode,omitempty"`
	Text      string    `json:"text"`
	Photo     string    `json:"photo,omitempty"`
	Date      time.Time `json:"date"`
	Edited    time.Time `json:"edited,omitzero"`
	Deleted   bool      `json:"deleted,omitempty"`
	// By is who posted it: "" for the bot, else the administrator (PostByHand).
	By string `json:"by,omitempty"`
}

type chat struct {
	id       int64
	name     string // as first given: "@lapaeriaexplica" or a numeric id
	messages []*Message
	win      window
}

// chat returns the chat named by id, creating it; the caller holds s.mu.
func (s *Server) chat(id string) *chat {
	if c := s.chats[id]; c != nil {
		return c
	}
	c := &chat{name: id, win: window{limit: s.cfg.PerChat, span: s.cfg.PerChatWindow}}
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		c.id = n
	} else {
		c.id = -1001000000000 - int64(len(s.order)+1)
	}
	s.chats[id] = c
	s.chats[strconv.FormatInt(c.id, 10)] = c
	s.order = append(s.order, c)
	return c
}

// Messages returns the posts of a chat that are still shown, oldest first.
func (s *Server) Messages(chatID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.messages {
		if !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

// apiError is a Bot API error answer.
type apiError struct {
	status     int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

// act runs one Bot API method, records it (lost: its reply will be dropped) and
// returns the answer.
func (s *Server) act(method string, p params, lost bool) (int, envelope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	req := Request{At: now, Method: method, Chat: p.get("chat_id"), Status: http.StatusOK, Lost: lost}
	req.Message, _ = strconv.Atoi(p.get("message_id"))
	result, aerr := s.call(now, method, p, &req)
	if aerr != nil {
		req.Status, req.RetryAfter = aerr.status, aerr.retryAfter
	}
	s.requests = append(s.requests, req)
	if aerr != nil {
		s.log.Debug("bot api refused", "method", method, "chat", req.Chat, "status", aerr.status, "description", aerr.desc)
		return aerr.status, errorEnvelope(aerr.status, aerr.desc, aerr.retryAfter)
	}
	return http.StatusOK, envelope{OK: true, Result: result}
}

var botUser = map[string]any{"id": BotID, "is_bot": true, "first_name": "Pregoner (sandbox)", "username": "pregoner_sandbox_bot"}

func (s *Server) call(now time.Time, method string, p params, req *Request) (any, *apiError) {
	switch method {
	case "getMe":
		return botUser, nil
	case "getChatMember":
		c, aerr := s.target(p)
		if aerr != nil {
			return nil, aerr
		}
		return s.member(c, p.get("user_id"))
	case "sendMessage", "sendPhoto", "editMessageText", "editMessageCaption", "editMessageMedia", "deleteMessage":
	default:
		return nil, &apiError{status: http.StatusNotFound, desc: "Not Found: method not found"}
	}
	c, aerr := s.target(p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.limit(now, c, req); aerr != nil {
		return nil, aerr
	}
	switch method {
	case "sendMessage":
		return s.send(now, c, p, "text", tghtml.MaxMessage)
	case "sendPhoto":
		return s.send(now, c, p, "caption", tghtml.MaxCaption)
	case "editMessageText":
		return s.edit(now, c, p)
	case "editMessageCaption":
		return s.editCaption(now, c, p)
	case "editMessageMedia":
		return s.editMedia(now, c, p)
	}
	return s.delete(now, c, p)
}

func (s *Server) target(p params) (*chat, *apiError) {
	id := p.get("chat_id")
	if id == "" {
		return nil, badRequest("chat_id is empty")
	}
	if c := s.chats[id]; c != nil {
		return c, nil
	}
	if len(s.cfg.Chats) > 0 {
		return nil, badRequest("chat not found")
	}
	return s.chat(id), nil
}

// limit applies the per-chat and global rate limits; it marks a request that came
// while its client had been told to wait.
func (s *Server) limit(now time.Time, c *chat, req *Request) *apiError {
	for _, win := range []*window{&c.win, &s.global} {
		if now.Before(win.until) {
			req.Early = true
			ra := retrySeconds(win.until.Sub(now))
			return &apiError{status: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", ra), retryAfter: ra}
		}
	}
	for _, win := range []*window{&c.win, &s.global} {
		if wait := win.check(now); wait > 0 {
			ra := retrySeconds(wait)
			win.until = now.Add(time.Duration(ra) * time.Second)
			return &apiError{status: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", ra), retryAfter: ra}
		}
	}
	c.win.record(now)
	s.global.record(now)
	return nil
}

// content validates text (or a caption) in the request's parse mode.
func content(p params, field string, limit int) (shown string, aerr *apiError) {
	text := p.get(field)
	switch mode := p.get("parse_mode"); mode {
	case "HTML":
		m, err := tghtml.Validate(text, limit)
		if err != nil {
			if field == "caption" && text == "" {
				return "", nil
			}
			if errors.Is(err, tghtml.ErrTooLong) && field == "caption" {
				return "", badRequest("message caption is too long")
			}
			if errors.Is(err, tghtml.ErrTooLong) {
				return "", badRequest("message is too long")
			}
			return "", badRequest("%s", err.Error())
		}
		return m.Text, nil
	case "":
		switch n := tghtml.Units(text); {
		case strings.TrimSpace(text) == "" && field == "text":
			return "", badRequest("message text is empty")
		case n > limit && field == "caption":
			return "", badRequest("message caption is too long")
		case n > limit:
			return "", badRequest("message is too long")
		}
		return text, nil
	default:
		return "", badRequest("unsupported parse_mode %q in the sandbox (use HTML)", mode)
	}
}

func (s *Server) send(now time.Time, c *chat, p params, field string, limit int) (any, *apiError) {
	shown, aerr := content(p, field, limit)
	if aerr != nil {
		return nil, aerr
	}
	m := &Message{ID: len(c.messages) + 1, HTML: p.get(field), ParseMode: p.get("parse_mode"), Text: shown, Date: now}
	if field == "caption" {
		m.Photo = p.get("photo")
		if m.Photo == "" && !p.files["photo"] {
			return nil, badRequest("there is no photo in the request")
		}
		if aerr := s.fetch(m.Photo); m.Photo != "" && aerr != nil {
			return nil, aerr
		}
		if m.Photo == "" {
			m.Photo = "(uploaded file)"
		}
	}
	c.messages = append(c.messages, m)
	return s.wire(c, m), nil
}

func (s *Server) message(c *chat, p params, verb string) (*Message, *apiError) {
	id, err := strconv.Atoi(p.get("message_id"))
	if err != nil || id < 1 || id > len(c.messages) || c.messages[id-1].Deleted {
		return nil, badRequest("message to %s not found", verb)
	}
	return c.messages[id-1], nil
}

func (s *Server) edit(now time.Time, c *chat, p params) (any, *apiError) {
	m, aerr := s.message(c, p, "edit")
	if aerr != nil {
		return nil, aerr
	}
	// Telegram checks the right to edit before it looks at the new content: another
	// administrator's post is refused even when the text is the same as its own.
	if m.By != "" && !s.canEdit && !s.cfg.Creator {
		return nil, badRequest("message can't be edited")
	}
	if m.Photo != "" {
		return nil, badRequest("there is no text in the message to edit")
	}
	shown, aerr := content(p, "text", tghtml.MaxMessage)
	if aerr != nil {
		return nil, aerr
	}
	if p.get("text") == m.HTML && p.get("parse_mode") == m.ParseMode {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	m.HTML, m.ParseMode, m.Text, m.Edited = p.get("text"), p.get("parse_mode"), shown, now
	return s.wire(c, m), nil
}

func (s *Server) delete(now time.Time, c *chat, p params) (any, *apiError) {
	m, aerr := s.message(c, p, "delete")
	if aerr != nil {
		return nil, aerr
	}
	if now.Sub(m.Date) >= DeleteWindow {
		return nil, badRequest("message can't be deleted for everyone")
	}
	m.Deleted = true
	return true, nil
}

// wire is a message as the Bot API returns it.
func (s *Server) wire(c *chat, m *Message) map[string]any {
	out := map[string]any{
		"message_id": m.ID,
		"date":       m.Date.Unix(),
		"chat":       map[string]any{"id": c.id, "type": "channel", "title": c.name, "username": strings.TrimPrefix(c.name, "@")},
	}
	if m.Photo != "" {
		out["caption"] = m.Text
		out["photo"] = []map[string]any{{"file_id": "sandbox-photo", "file_unique_id": "p", "width": 1, "height": 1}}
	} else {
		out["text"] = m.Text
	}
	if !m.Edited.IsZero() {
		out["edit_date"] = m.Edited.Unix()
	}
	return out
}

// params are a request's parameters, from the query, a form, multipart or JSON.
type params struct {
	values map[string]string
	files  map[string]bool
}

func (p params) get(k string) string { return p.values[k] }

// maxRequest bounds a request body; Bot API uploads go up to 50 MB, the sandbox
// needs far less.
const maxRequest = 10 << 20

func readParams(r *http.Request) (params, error) {
	p := params{values: map[string]string{}, files: map[string]bool{}}
	for k, v := range r.URL.Query() {
		p.values[k] = v[0]
	}
	if r.Body == nil {
		return p, nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxRequest)
	// Read to the end even when the form ends early (a multipart closing boundary
	// before the chunked trailer): only then does net/http notice a client that
	// gives up, which is what lets a hung request end without being applied.
	defer func() { _, _ = io.Copy(io.Discard, r.Body) }()
	// A method without parameters (getMe) comes as an empty body under a multipart
	// Content-Type, which Telegram takes as no parameters.
	br := bufio.NewReader(r.Body)
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return p, nil
	}
	r.Body = readCloser{br, r.Body}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]json.RawMessage
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return p, fmt.Errorf("read request: %w", err)
		}
		if len(strings.TrimSpace(string(data))) == 0 {
			return p, nil
		}
		if err := json.Unmarshal(data, &m); err != nil {
			return p, fmt.Errorf("request body is not a JSON object: %w", err)
		}
		for k, raw := range m {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				p.values[k] = str
			} else {
				p.values[k] = string(raw)
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxRequest); err != nil {
			return p, fmt.Errorf("read multipart request: %w", err)
		}
		for k, v := range r.MultipartForm.Value {
			p.values[k] = v[0]
		}
		for k := range r.MultipartForm.File {
			p.files[k] = true
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return p, fmt.Errorf("read form: %w", err)
		}
		for k, v := range r.PostForm {
			p.values[k] = v[0]
		}
	}
	return p, nil
}

// member answers getChatMember: the bot is an administrator (or the creator) with the
// rights a channel poster needs, the colleague is the creator, anyone else has left.
func (s *Server) member(c *chat, userID string) (any, *apiError) {
	id, err := strconv.ParseInt(userID, 10, 64)
	if err != nil {
		return nil, badRequest("invalid user_id specified")
	}
	switch {
	case id == BotID && s.cfg.Creator:
		return map[string]any{"status": "creator", "user": botUser, "is_anonymous": false}, nil
	case id == BotID:
		return map[string]any{"status": "administrator", "user": botUser, "can_be_edited": false,
			"is_anonymous": false, "can_manage_chat": true, "can_delete_messages": true,
			"can_manage_video_chats": false, "can_restrict_members": true, "can_promote_members": false,
			"can_change_info": false, "can_invite_users": true, "can_post_messages": true,
			"can_edit_messages": s.canEdit, "can_post_stories": false, "can_edit_stories": false,
			"can_delete_stories": false}, nil
	case id == ColleagueID:
		return map[string]any{"status": "creator", "is_anonymous": false,
			"user": map[string]any{"id": ColleagueID, "is_bot": false, "first_name": Colleague}}, nil
	}
	return map[string]any{"status": "left", "user": map[string]any{"id": id, "is_bot": false, "first_name": "?"}}, nil
}

// PostByHand posts html (Telegram HTML) in a chat as another administrator would in
// the Telegram app; it takes the chat's next message id, which it returns. The bot
// cannot edit it unless it may edit others' posts (Config.CanEditMessages, Creator).
func (s *Server) PostByHand(chatID, html string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	text := html
	if m, err := tghtml.Validate(html, tghtml.MaxMessage); err == nil {
		text = m.Text
	}
	m := &Message{ID: len(c.messages) + 1, HTML: html, ParseMode: "HTML", Text: text, Date: s.cfg.Now(), By: Colleague}
	c.messages = append(c.messages, m)
	return m.ID
}

type readCloser struct {
	io.Reader
	io.Closer
}

// DeleteByHand removes a post as an administrator would in the Telegram app, without
// the bot knowing.
func (s *Server) DeleteByHand(chatID string, id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil && id >= 1 && id <= len(c.messages) {
		c.messages[id-1].Deleted = true
	}
}
