package staff

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/services/editor/ui"
)

// Request limits, at the server: a bulletin is at most 256 KiB, so a request larger
// than maxBody is no form or API call of the editor's, and headers beyond
// maxHeaderBytes (cookies and a bearer token fit many times over) are refused by the
// server itself with 431 before any handler runs.
const (
	maxBody        = 1 << 20
	maxHeaderBytes = 64 << 10
)

// limitBody refuses a request body larger than maxBody with 413 in words, before any
// handler sees it: at once when its Content-Length says so, and for a form of unknown
// length once reading it passes the limit (the form is read here, so no handler goes
// on with a truncated one and stores half a text). Anything else reads through an
// http.MaxBytesReader, which the API answers 413 itself.
func limitBody(words *i18n.Catalogue, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			tooLarge(w, r, words)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if isForm(r) {
			var mbe *http.MaxBytesError
			if err := r.ParseForm(); errors.As(err, &mbe) {
				tooLarge(w, r, words)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// isForm is a UI form post. The API reads JSON whatever the Content-Type says (curl -d
// sends a JSON body as a form): parsing it here would consume the body and the API
// would answer "send JSON" to a client that did.
func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && mt == "application/x-www-form-urlencoded" && !strings.HasPrefix(r.URL.Path, "/api/")
}

// tooLarge answers 413: JSON for the API, as its other errors; for the UI a line in
// the member's language (her language cookie, else her browser's).
func tooLarge(w http.ResponseWriter, r *http.Request, words *i18n.Catalogue) {
	w.Header().Set("Connection", "close") // the rest of the body is not read
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = w.Write([]byte(`{"error": {"code": "too_large", "message": "the request is larger than the editor takes (1 MiB; a bulletin is at most 256 KiB): nothing was stored"}}` + "\n"))
		return
	}
	lang := words.Match(r.Header.Get("Accept-Language"))
	if c, err := r.Cookie(ui.LangCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			lang = l
		}
	}
	http.Error(w, words.T(lang, "limits.tooLarge", "1 MiB"), http.StatusRequestEntityTooLarge)
}
