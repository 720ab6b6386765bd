package live

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// expiryMargin: a token this close to its expiry is renewed first, so that it does not
// expire between the check and the API call.
const expiryMargin = time.Minute

// tokens is an oauth2.TokenSource that turns the refresh token into access tokens,
// keeps the current one until it expires on the configured clock, and can be told to
// drop it when the API says it is no longer good (revoked, or the clock lied). It
// remembers every access token it handed out so they can be redacted. Safe for
// concurrent use.
type tokens struct {
	conf    *oauth2.Config
	refresh string
	now     func() time.Time
	client  *http.Client // for the token endpoint

	mu      sync.Mutex
	current *oauth2.Token
	expiry  time.Time // of current, on the configured clock
	issued  []string  // every access token seen, newest last (bounded)
	grants  int
}

func newTokens(cfg Config, client *http.Client, now func() time.Time) *tokens {
	return &tokens{
		conf: &oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint:     oauth2.Endpoint{TokenURL: cfg.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
			Scopes:       []string{"https://www.googleapis.com/auth/youtube"},
		},
		refresh: cfg.RefreshToken,
		now:     now,
		client:  client,
	}
}

// Token returns a valid access token, asking the token endpoint for a new one when the
// current one is missing, dropped or about to expire.
func (t *tokens) Token() (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.current != nil && t.now().Add(expiryMargin).Before(t.expiry) {
		return t.current, nil
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, t.client)
	fresh, err := t.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: t.refresh}).Token()
	if err != nil {
		return nil, fmt.Errorf("youtube: refresh access token: %w", err)
	}
	t.grants++
	ttl := time.Hour // Google's, when the endpoint does not say
	if !fresh.Expiry.IsZero() {
		ttl = time.Until(fresh.Expiry)
	}
	t.expiry = t.now().Add(ttl)
	// The transport must not second-guess the expiry on the real clock: ours decides.
	t.current = &oauth2.Token{AccessToken: fresh.AccessToken, TokenType: fresh.Type()}
	t.issued = append(t.issued, fresh.AccessToken)
	if len(t.issued) > 16 {
		t.issued = t.issued[len(t.issued)-16:]
	}
	return t.current, nil
}

// authTransport authorises each request with the current access token. When the API
// answers 401 (the token was revoked or expired early) it drops the token and sends
// the request once more with a fresh one: a 401 means nothing was done.
type authTransport struct {
	src  *tokens
	base http.RoundTripper
}

func (a *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for try := 0; ; try++ {
		tok, err := a.src.Token()
		if err != nil {
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, err
		}
		r := req.Clone(req.Context())
		if try > 0 && req.GetBody != nil {
			if r.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
		tok.SetAuthHeader(r)
		resp, err := a.base.RoundTrip(r)
		if err != nil || resp.StatusCode != http.StatusUnauthorized || try > 0 ||
			(req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
			return resp, err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		a.src.Drop(tok.AccessToken)
	}
}

// Drop forgets the current access token if it is still tok, so the next call gets a
// new one.
func (t *tokens) Drop(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.current != nil && t.current.AccessToken == tok {
		t.current = nil
	}
}

// Grants counts access tokens obtained so far.
func (t *tokens) Grants() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.grants
}

// Redact replaces the client secret, the refresh token and every access token handed
// out with "[redacted]" in s.
func (t *tokens) Redact(s string) string {
	t.mu.Lock()
	secrets := append([]string{t.conf.ClientSecret, t.refresh}, t.issued...)
	t.mu.Unlock()
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}
