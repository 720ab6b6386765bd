// Package sandbox is a local Telegram Bot API server: it speaks the Bot API's wire
// protocol (JSON, form and multipart requests; the {"ok":…} envelope) and enforces the
// rules pregoner must live with — Telegram's HTML subset, 4096/1024 characters after
// entity parsing, per-chat and global rate limits answered with 429 and retry_after,
// "message is not modified", and no deletes after 48 hours. Tests point the real
// go-telegram/bot client at it, and the hub runs it when no bot token is configured,
// with a page (GET /) that shows each chat as citizens would see it.
//
// It also records every request, so tests can prove that no request came before a
// retry_after expired, and takes injected faults (5xx, hangs, connection resets) and
// lost replies (the request is carried out, then the answer never arrives).
package sandbox

import (
	"encoding/json"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rules of the real Bot API the sandbox enforces by default.
const (
	// DefaultPerChatPerMinute: Telegram allows about 20 messages a minute in one group
	// or channel.
	DefaultPerChatPerMinute = 20
	// DefaultGlobalPerSecond: about 30 messages a second overall for one bot.
	DefaultGlobalPerSecond = 30
	// DeleteWindow: a bot can delete a channel post only within 48 hours of sending it.
	DeleteWindow = 48 * time.Hour
)

// Config sets up a sandbox. The zero value accepts any token and any chat, with
// Telegram's default limits and the wall clock.
type Config struct {
	// Token is the bot token requests must carry; empty accepts any token.
	Token string
	// Chats the bot may post to ("@lapaeriaexplica" or a numeric id); empty accepts
	// any chat, created on first use.
	Chats []string
	// PerChat requests to one chat are allowed per PerChatWindow (sends, edits and
	// deletes all count); 0 means DefaultPerChatPerMinute a minute, negative turns
	// the limit off (benchmarks).
	PerChat       int
	PerChatWindow time.Duration
	// Global requests are allowed per GlobalWindow over all chats; 0 means
	// DefaultGlobalPerSecond a second, negative turns the limit off.
	Global       int
	GlobalWindow time.Duration
	// Now is the clock for message dates, the 48-hour rule and rate limits.
	Now    func() time.Time
	Logger *slog.Logger
	// CanEditMessages is the bot's can_edit_messages right in every chat: with it the
	// bot may edit other administrators' posts. False by default, as pregoner wants it.
	CanEditMessages bool
	// Unfetchable says which photo URLs Telegram cannot fetch (sendPhoto and
	// editMessageMedia answer "failed to get HTTP URL content"); nil is Unfetchable:
	// hosts under .invalid.
	Unfetchable func(url string) bool
	// Creator makes the bot the chats' owner (getChatMember status "creator"), who may
	// edit every post.
	Creator bool
}

// Identities the sandbox gives: the bot (getMe) and the administrator who posts "by
// hand" (PostByHand).
const (
	BotID       = 1000001
	ColleagueID = 1000002
	// Colleague is the name PostByHand's posts are signed with.
	Colleague = "Premsa (administradora)"
)

// Fault is what an injected fault does to one request. A faulted request is never
// applied, so a client that retries loses nothing and duplicates nothing — except with
// LoseReply, which applies it and then loses the answer.
type Fault struct {
	// Status answers with this HTTP status (e.g. 500, 502) and a Bot API error body.
	Status int
	// Delay holds the request this long first; a client that gives up meanwhile
	// gets nothing and the request is not applied.
	Delay time.Duration
	// Reset closes the connection without an answer.
	Reset bool
	// Description replaces the error description of a Status answer.
	Description string
	// LoseReply carries the request out, then closes the connection without an answer
	// (after Delay, or as soon as the client gives up, when Delay is set): the reply
	// lost after Telegram acted, which a client cannot tell from a request that never
	// arrived.
	LoseReply bool
}

// Loss configures the lost-reply mode (LoseReplies): matching requests are carried
// out, then their connection is closed without an answer.
type Loss struct {
	// Method is the Bot API method whose replies are lost ("": every method).
	Method string
	// Skip lets the first Skip requests of Method through untouched.
	Skip int
	// Next loses the next Next replies of Method (after Skip).
	Next int
	// Rate then loses each further reply with this probability, drawn from a generator
	// seeded with Seed: the same seed loses the same requests of the same sequence.
	Rate float64
	Seed uint64
}

// Request is one request the sandbox received, as recorded for tests.
type Request struct {
	At     time.Time
	Method string
	Chat   string
	// Message is the message_id of an edit or a delete (0 for other methods).
	Message int
	Status  int
	// RetryAfter is the retry_after of a 429 answer, in seconds.
	RetryAfter int
	// Early is set when the request came while the chat (or the bot) was told to wait:
	// a client that honours retry_after never sends one.
	Early bool
	// Faulted is set when an injected fault answered the request (it was not applied).
	Faulted bool
	// Lost is set when the request was carried out and its reply dropped.
	Lost bool
}

// Server is the sandbox. It is an http.Handler and safe for concurrent use.
type Server struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	chats    map[string]*chat // by the chat_id as given: "@name" or the numeric id
	order    []*chat
	requests []Request
	fault    func(method string, n int) Fault
	loss     lossState
	canEdit  bool
	global   window
}

// lossState counts a Loss's requests and draws its losses.
type lossState struct {
	Loss
	seen int
	rnd  *rand.Rand
}

// New returns a sandbox server.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PerChat == 0 {
		cfg.PerChat, cfg.PerChatWindow = DefaultPerChatPerMinute, time.Minute
	}
	if cfg.PerChatWindow <= 0 {
		cfg.PerChatWindow = time.Minute
	}
	if cfg.Global == 0 {
		cfg.Global, cfg.GlobalWindow = DefaultGlobalPerSecond, time.Second
	}
	if cfg.GlobalWindow <= 0 {
		cfg.GlobalWindow = time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: log.With("component", "telegram-sandbox"), chats: map[string]*chat{},
		canEdit: cfg.CanEditMessages}
	s.global = window{limit: cfg.Global, span: cfg.GlobalWindow}
	for _, c := range cfg.Chats {
		s.chat(c)
	}
	return s
}

// InjectFaults makes f decide a fault for each Bot API request: method, and n, the
// request's number from 1. A zero Fault lets the request through; nil removes f.
func (s *Server) InjectFaults(f func(method string, n int) Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// LoseReplies turns the lost-reply mode on (a zero Loss turns it off); it counts the
// method's requests from now.
func (s *Server) LoseReplies(l Loss) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loss = lossState{Loss: l, rnd: rand.New(rand.NewPCG(l.Seed, l.Seed^0x9e3779b97f4a7c15))}
}

// SetCanEditMessages changes the bot's can_edit_messages right, as a channel owner
// would in the Telegram app.
func (s *Server) SetCanEditMessages(can bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.canEdit = can
}

// loses decides whether the reply to a request of method is lost; the caller holds s.mu.
func (s *Server) loses(method string) bool {
	l := &s.loss
	if l.Next == 0 && l.Rate == 0 || l.Method != "" && l.Method != method {
		return false
	}
	l.seen++
	switch {
	case l.seen <= l.Skip:
		return false
	case l.Next > 0:
		l.Next--
		return true
	}
	return l.rnd.Float64() < l.Rate
}

// Requests returns every Bot API request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ServeHTTP serves the Bot API under /bot<token>/<method> and the page at /.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		s.page(w, r)
		return
	}
	token, method, ok := strings.Cut(rest, "/")
	if !ok || method == "" {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	if s.cfg.Token != "" && token != s.cfg.Token {
		writeError(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	}
	params, err := readParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	if s.faulted(w, r, method, params) {
		return
	}
	s.mu.Lock()
	lose := s.loses(method)
	s.mu.Unlock()
	if lose {
		s.act(method, params, true)
		drop(w)
		return
	}
	status, env := s.act(method, params, false)
	writeEnvelope(w, status, env)
}

// drop closes the connection without an answer.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection without a response
}

// faulted applies an injected fault, and reports whether it answered the request.
func (s *Server) faulted(w http.ResponseWriter, r *http.Request, method string, p params) bool {
	s.mu.Lock()
	f := Fault{}
	if s.fault != nil {
		f = s.fault(method, len(s.requests)+1)
	}
	if f == (Fault{}) {
		s.mu.Unlock()
		return false
	}
	if f.LoseReply {
		s.mu.Unlock()
		s.act(method, p, true)
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
			}
		}
		drop(w)
		return true
	}
	req := Request{At: s.cfg.Now(), Method: method, Chat: p.get("chat_id"), Status: f.Status, Faulted: true}
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true // the client gave up: nothing was applied
		}
		if f.Status == 0 && !f.Reset {
			return false // only slow: apply it now
		}
	}
	if f.Reset {
		drop(w)
		return true
	}
	desc := f.Description
	if desc == "" {
		desc = http.StatusText(f.Status)
	}
	writeError(w, f.Status, desc, 0)
	return true
}

// envelope is the Bot API's answer.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      any             `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

func writeEnvelope(w http.ResponseWriter, status int, e envelope) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(e)
}

func writeError(w http.ResponseWriter, status int, desc string, retryAfter int) {
	writeEnvelope(w, status, errorEnvelope(status, desc, retryAfter))
}

func errorEnvelope(status int, desc string, retryAfter int) envelope {
	e := envelope{ErrorCode: status, Description: desc}
	if retryAfter > 0 {
		e.Parameters = &responseParams{RetryAfter: retryAfter}
	}
	return e
}

// window counts events in a sliding time span.
type window struct {
	limit  int
	span   time.Duration
	events []time.Time
	// until is when a client told to wait may come back.
	until time.Time
}

// check returns how long a caller must wait before an event at now is allowed.
func (win *window) check(now time.Time) (wait time.Duration) {
	if win.limit < 0 {
		return 0
	}
	cut := 0
	for cut < len(win.events) && now.Sub(win.events[cut]) >= win.span {
		cut++
	}
	win.events = win.events[cut:]
	if len(win.events) >= win.limit {
		return win.events[0].Add(win.span).Sub(now)
	}
	return 0
}

func (win *window) record(now time.Time) {
	if win.limit >= 0 {
		win.events = append(win.events, now)
	}
}

// retrySeconds rounds a wait up to the whole seconds Telegram's retry_after gives.
func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
