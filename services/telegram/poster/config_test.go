package poster_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/telegram/poster"
)

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfig(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(testToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		vars    map[string]string
		check   func(t *testing.T, cfg poster.Config)
		wantErr string
	}{
		{"nothing_set_runs_the_sandbox", nil, func(t *testing.T, cfg poster.Config) {
			if cfg.Token != "" || cfg.ChatID != poster.DefaultSandboxChat || cfg.SandboxAddr != poster.DefaultSandboxAddr ||
				cfg.APIURL != poster.DefaultAPIURL || cfg.WebBaseURL != poster.DefaultWebBaseURL {
				t.Errorf("defaults = %+v", cfg)
			}
		}, ""},
		{"token_and_chats", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_CHAT_ID": "@lapaeriaexplica",
			"TELEGRAM_CHAT_ID_ES": "@lapaeriaexplica_es", "TELEGRAM_CHATS": "en=-1001234567890", "TELEGRAM_API_URL": "http://127.0.0.1:9999"},
			func(t *testing.T, cfg poster.Config) {
				if cfg.Token != testToken || cfg.ChatByLang["es"] != "@lapaeriaexplica_es" || cfg.ChatByLang["en"] != "-1001234567890" || cfg.APIURL != "http://127.0.0.1:9999" {
					t.Errorf("cfg = %+v", cfg)
				}
			}, ""},
		{"token_from_file", map[string]string{"TELEGRAM_BOT_TOKEN_FILE": tokenFile, "TELEGRAM_CHAT_ID": "@lapaeriaexplica"},
			func(t *testing.T, cfg poster.Config) {
				if cfg.Token != testToken {
					t.Errorf("token not read from the file")
				}
			}, ""},
		{"token_twice", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_BOT_TOKEN_FILE": tokenFile, "TELEGRAM_CHAT_ID": "@x1234"}, nil, "not both"},
		{"missing_token_file", map[string]string{"TELEGRAM_BOT_TOKEN_FILE": "/nonexistent/token"}, nil, "TELEGRAM_BOT_TOKEN_FILE"},
		{"token_without_chat", map[string]string{"TELEGRAM_BOT_TOKEN": testToken}, nil, "TELEGRAM_CHAT_ID: missing"},
		{"bad_chat", map[string]string{"TELEGRAM_CHAT_ID": "la paeria"}, nil, `"la paeria" is not a chat`},
		{"bad_language_chat", map[string]string{"TELEGRAM_CHATS": "es"}, nil, "not lang=chat"},
		{"bad_api_url", map[string]string{"TELEGRAM_API_URL": "api.telegram.org"}, nil, "TELEGRAM_API_URL"},
		{"bad_rate", map[string]string{"TELEGRAM_PER_CHAT_PER_MINUTE": "vint"}, nil, "not a number"},
		{"bad_timeout", map[string]string{"TELEGRAM_REQUEST_TIMEOUT": "30"}, nil, "not a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := poster.LoadConfig(getenv(tt.vars))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, cfg)
		})
	}
}

func TestMalformedTokenIsNotEchoed(t *testing.T) {
	const secret = "123:this-is-a-SECRET-but-too-short"
	_, err := poster.LoadConfig(getenv(map[string]string{"TELEGRAM_BOT_TOKEN": secret + " x", "TELEGRAM_CHAT_ID": "@lapaeriaexplica"}))
	if err == nil {
		t.Fatal("malformed token accepted")
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("the error shows the token: %v", err)
	}
}
