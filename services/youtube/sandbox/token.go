package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// token is Google's OAuth2 token endpoint for grant_type=refresh_token. Client
// credentials come in the form or as HTTP Basic auth, as RFC 6749 allows.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, faulty := s.popFault(true, "")
	s.mu.Unlock()
	if faulty && applyBefore(w, f) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Could not parse the request body.")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	switch {
	case id == "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "Could not determine client ID from request.")
		return
	case id != s.cfg.ClientID || secret != s.cfg.ClientSecret:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "The OAuth client was not found.")
		return
	case r.PostForm.Get("grant_type") != "refresh_token":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
		return
	case r.PostForm.Get("refresh_token") == "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter: refresh_token")
		return
	case r.PostForm.Get("refresh_token") != s.cfg.RefreshToken:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
		return
	}
	tok := "ya29.sandbox-" + randomHex(24)
	s.mu.Lock()
	now := s.now()
	for t, exp := range s.tokens {
		if !now.Before(exp) {
			delete(s.tokens, t)
		}
	}
	s.tokens[tok] = now.Add(s.cfg.TokenTTL)
	s.stats.TokenGrants++
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"expires_in":   int(s.cfg.TokenTTL.Seconds()) - 1,
		"scope":        "https://www.googleapis.com/auth/youtube",
		"token_type":   "Bearer",
	})
}

func oauthError(w http.ResponseWriter, code int, errCode, desc string) {
	writeJSON(w, code, map[string]string{"error": errCode, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
