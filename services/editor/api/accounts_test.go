package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
)

// An account operation's error reaches the client as what it is: a refusal of the
// accounts rules is a 422 in the language the client asked for (English when none),
// a missing account a 404, and anything else — the bus, the key file — is the
// server's: logged, and a 500 that shows none of its internals.
func TestFailAccountClassifies(t *testing.T) {
	var logged bytes.Buffer
	s := New(nil, nil, nil, slog.New(slog.NewTextHandler(&logged, nil)), 0)
	short := &accounts.RuleError{Key: "rule.passwordShort", Args: []any{12}, Text: "password: at least 12 characters, please"}
	internal := fmt.Errorf("add user bea: %w", errors.New("nats: stream ACCOUNTS on /var/lib/pregoner/jetstream: I/O error"))
	tests := []struct {
		name, lang string
		err        error
		status     int
		code, want string
	}{
		{"rule, no language", "", short, 422, "invalid", "password: at least 12 characters, please"},
		{"rule, Catalan", "ca", fmt.Errorf("add: %w", short), 422, "invalid", "la contrasenya ha de tenir com a mínim 12 caràcters"},
		{"rule, Spanish", "es-ES,es;q=0.9", short, 422, "invalid", "la contraseña debe tener al menos 12 caracteres"},
		{"name taken, Catalan", "ca", &accounts.RuleError{Key: "rule.exists", Args: []any{"bea"}, Text: "add user bea: already exists", Err: accounts.ErrExists}, 422, "invalid", "ja hi ha un compte amb el nom «bea»"},
		{"role in words, Catalan", "ca", &accounts.RuleError{Key: "rule.tokenOwnerRole", Text: "token x: pau is publisher ...",
			Args: []any{"x", "pau", accounts.Word{Kind: "role", Value: "publisher"}, accounts.Word{Kind: "scope", Value: "admin"}}},
			422, "invalid", "amb el rol de publicador no pot tenir un testimoni per administrar"},
		{"self, Catalan", "ca", &desk.SelfError{Key: "admin.selfRemove", Text: "you cannot remove your own account"}, 422, "self", "no podeu eliminar el vostre propi compte"},
		{"missing", "", fmt.Errorf("user nobody: %w", accounts.ErrNotFound), 404, "not_found", "no such account: nobody"},
		{"internal", "", internal, 500, "internal", "something went wrong on the server"},
		{"internal, Catalan", "ca", internal, 500, "internal", "Alguna cosa ha fallat al servidor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logged.Reset()
			r := httptest.NewRequest("POST", "/api/users", nil)
			if tt.lang != "" {
				r.Header.Set("Accept-Language", tt.lang)
			}
			rec := httptest.NewRecorder()
			s.failAccount(s.speak(rec, r), tt.err, "account: nobody")
			var body apiError
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.status || body.Error.Code != tt.code || !strings.Contains(body.Error.Message, tt.want) {
				t.Errorf("%d %q %q, want %d %q with %q", rec.Code, body.Error.Code, body.Error.Message, tt.status, tt.code, tt.want)
			}
			if strings.Contains(body.Error.Message, "/var/lib") || strings.Contains(body.Error.Message, "nats:") {
				t.Errorf("internals reach the client: %q", body.Error.Message)
			}
			if isLogged := strings.Contains(logged.String(), "I/O error"); isLogged != (tt.status == http.StatusInternalServerError) {
				t.Errorf("logged %v for a %d: %q", isLogged, rec.Code, logged.String())
			}
		})
	}
}
