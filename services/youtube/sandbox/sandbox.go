// Package sandbox is a local stand-in for the YouTube Data API v3 and Google's OAuth2
// token endpoint, for tests and for running pregoner on one machine without a channel.
//
// It speaks the real wire protocol so that the real client library
// (google.golang.org/api/youtube/v3 with golang.org/x/oauth2) runs against it unchanged:
// the REST paths under /youtube/v3/liveBroadcasts (insert, update, delete, list), the
// token endpoint at /token (grant_type=refresh_token), Bearer access tokens that expire,
// and Google's error envelope {"error":{"code":..,"message":..,"errors":[{"reason":..}]}}.
// It enforces the rules the real service enforces on a live broadcast (title 1–100
// characters without < or >, description at most 5000 bytes without < or >, a scheduled
// start in the future, a known privacy status, whole parts on update) and the daily
// quota: 10,000 units, a write costing 50, reset at midnight America/Los_Angeles.
//
// Time comes from Config.Now, so a test controls token expiry and the quota reset.
// Faults (5xx answers, connection resets, a write whose answer is lost) are injected
// with Fail. GET / shows the scheduled broadcasts as a page.
//
// A Server is safe for concurrent use.
package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
	_ "time/tzdata" // the quota resets on Pacific time, also where the system has no zoneinfo
)

// Rules of the real service that the sandbox enforces.
const (
	// DefaultDailyQuota is the units a Google Cloud project gets a day by default.
	DefaultDailyQuota = 10000
	// DefaultTokenTTL is how long Google's access tokens live.
	DefaultTokenTTL = time.Hour
	// CostWrite is what liveBroadcasts.insert, update and delete cost.
	CostWrite = 50
	// CostList is what a liveBroadcasts.list page costs.
	CostList = 1
	// MaxTitleChars and MaxDescriptionBytes bound a broadcast's snippet.
	MaxTitleChars       = 100
	MaxDescriptionBytes = 5000
	// MaxResults is the largest page liveBroadcasts.list returns.
	MaxResults = 50
)

// Config says which credentials the sandbox accepts and how it behaves.
type Config struct {
	// ClientID, ClientSecret and RefreshToken are the only credentials the token
	// endpoint accepts. Empty ones are generated at random (see Credentials).
	ClientID, ClientSecret, RefreshToken string
	// ChannelID is the channel every broadcast belongs to.
	ChannelID string
	// TokenTTL is the life of an access token; 0 means DefaultTokenTTL.
	TokenTTL time.Duration
	// DailyQuota in units; 0 means DefaultDailyQuota.
	DailyQuota int
	// WatchURL is the prefix of a broadcast's page, to which its id is appended; empty
	// means the sandbox's own "/watch?v=" (relative).
	WatchURL string
	// Now is the sandbox's clock; nil means time.Now.
	Now func() time.Time
}

// Server is the sandbox. Use Handler to serve it.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	pacific *time.Location

	mu         sync.Mutex
	broadcasts map[string]*broadcast
	order      []string // ids in insertion order, for list
	tokens     map[string]time.Time
	quotaDay   string
	quotaUsed  int
	faults     []Fault
	loseRate   float64     // see LoseAnswers
	loseOps    []string    // operations LoseAnswers applies to
	loseRand   *mrand.Rand // seeded draws for LoseAnswers
	afterWrite func(op, id string)
	stats      Stats
	seq        int
}

// Stats counts what the sandbox was asked, for tests and the page.
type Stats struct {
	TokenGrants int // access tokens issued
	Requests    int // API requests, whatever their outcome
	Inserts     int // broadcasts created
	Updates     int // broadcasts updated
	Deletes     int // broadcasts deleted
	Lists       int // list pages served
	Refused     int // requests answered with a 4xx
	LostAnswers int // writes carried out whose answer a fault lost (see LoseAnswers)
	QuotaUsed   int // units charged today (Pacific)
}

// New returns a sandbox with no broadcasts.
func New(cfg Config) *Server {
	if cfg.ClientID == "" {
		cfg.ClientID = "sandbox-" + randomHex(6) + ".apps.googleusercontent.com"
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = randomHex(16)
	}
	if cfg.RefreshToken == "" {
		cfg.RefreshToken = "1//" + randomHex(24)
	}
	if cfg.ChannelID == "" {
		cfg.ChannelID = "UCpaeria-sandbox"
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.DailyQuota <= 0 {
		cfg.DailyQuota = DefaultDailyQuota
	}
	if cfg.WatchURL == "" {
		cfg.WatchURL = "/watch?v="
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, broadcasts: map[string]*broadcast{}, tokens: map[string]time.Time{},
		pacific: PacificZone()}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /token", s.token)
	s.mux.HandleFunc("/youtube/v3/liveBroadcasts", s.liveBroadcasts)
	s.mux.HandleFunc("GET /{$}", s.page)
	s.mux.HandleFunc("GET /watch", s.watch)
	s.mux.HandleFunc("/", s.notFound)
	return s
}

// Handler serves the API, the token endpoint and the pages.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// Credentials are the client id, client secret and refresh token the sandbox accepts.
func (s *Server) Credentials() (clientID, clientSecret, refreshToken string) {
	return s.cfg.ClientID, s.cfg.ClientSecret, s.cfg.RefreshToken
}

// WatchURL returns the page of broadcast id.
func (s *Server) WatchURL(id string) string { return s.cfg.WatchURL + id }

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rollQuota()
	st := s.stats
	st.QuotaUsed = s.quotaUsed
	return st
}

// Broadcast is a broadcast as the sandbox holds it.
type Broadcast struct {
	ID, Title, Description, Privacy string
	Start                           time.Time
	Published                       time.Time
	SelfDeclaredMadeForKids         bool
}

// Broadcasts returns every broadcast, oldest first.
func (s *Server) Broadcasts() []Broadcast {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Broadcast, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.broadcasts[id].public())
	}
	return out
}

// ExpireTokens invalidates every access token issued so far, as when Google revokes
// them early: the next API call with one of them gets 401.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// UseQuota charges units to today's quota, as other clients of the same project do.
func (s *Server) UseQuota(units int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rollQuota()
	s.quotaUsed += units
}

// AfterWrite sets a function called after a write (op "insert", "update" or
// "delete") took effect and before it is answered; it may block, as a slow network
// does. nil removes it.
func (s *Server) AfterWrite(f func(op, id string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.afterWrite = f
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "notFound", "global", "The requested URL "+r.URL.Path+" was not found.", "")
}

// now is the sandbox's clock.
func (s *Server) now() time.Time { return s.cfg.Now() }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// Remove deletes broadcast id behind the client's back, as a person in YouTube Studio
// would, and reports whether it existed.
func (s *Server) Remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.broadcasts[id]; !ok {
		return false
	}
	delete(s.broadcasts, id)
	s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
	return true
}
