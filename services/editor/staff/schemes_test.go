package staff_test

import (
	"net/http"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
)

// The Authorization scheme is case-insensitive (RFC 9110), so a client that writes
// "bearer" is not told its good token is bad; a malformed header still is. The
// editor's assets are served by name, never listed.
func TestTokenSchemeAndAssetsFromOutside(t *testing.T) {
	e := newEnv(t)
	tok := e.token("planner", accounts.Publisher)
	for _, tc := range []struct {
		header string
		want   int
	}{
		{"Bearer " + tok, http.StatusOK},
		{"bearer " + tok, http.StatusOK},
		{"BEARER  " + tok, http.StatusOK},
		{"Bearer", http.StatusUnauthorized},
		{"Basic " + tok, http.StatusUnauthorized},
		{"Bearer " + tok + "x", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/schedules", nil)
		req.Header.Set("Authorization", tc.header)
		res, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("Authorization %.12q…: %d, want %d", tc.header, res.StatusCode, tc.want)
		}
	}
	for path, want := range map[string]int{"/static/": 404, "/static/app.js": 200, "/static/style.css": 200} {
		res, err := e.srv.Client().Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
}
