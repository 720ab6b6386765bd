package poster_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	sandboxed := map[string]string{"TELEGRAM_SANDBOX": "1"}
	tests := []struct {
		name    string
		vars    map[string]string
		check   func(t *testing.T, cfg poster.Config)
		wantErr []string
	}{
		{"sandbox_asked_for_runs_on_defaults", sandboxed, func(t *testing.T, cfg poster.Config) {
			if !cfg.Sandbox || cfg.Token != "" || cfg.ChatID != poster.DefaultSandboxChat || cfg.SandboxAddr != poster.DefaultSandboxAddr ||
				cfg.APIURL != poster.DefaultAPIURL || cfg.WebBaseURL != poster.DefaultWebBaseURL || cfg.Workers != 1 ||
				cfg.PerChatPerMinute != poster.DefaultPerChatPerMinute || cfg.RequestTimeout != poster.DefaultRequestTimeout {
				t.Errorf("defaults = %+v", cfg)
			}
		}, nil},
		{"token_and_chats", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_CHAT_ID": "@lapaeriaexplica",
			"TELEGRAM_CHAT_ID_ES": "@lapaeriaexplica_es", "TELEGRAM_CHATS": "en=-1001234567890, es=@lapaeriaexplica_es",
			"TELEGRAM_API_URL": "http://127.0.0.1:9999/", "TELEGRAM_WORKERS": "3", "NATS_REPLICAS": "3",
			"TELEGRAM_PER_CHAT_PER_MINUTE": "-1", "TELEGRAM_REQUEST_TIMEOUT": "5s"},
			func(t *testing.T, cfg poster.Config) {
				if cfg.Sandbox || cfg.Token != testToken || cfg.ChatByLang["es"] != "@lapaeriaexplica_es" || cfg.ChatByLang["en"] != "-1001234567890" ||
					cfg.APIURL != "http://127.0.0.1:9999" || cfg.Workers != 3 || cfg.Topology.Replicas != 3 ||
					cfg.PerChatPerMinute != -1 || cfg.RequestTimeout != 5*time.Second {
					t.Errorf("cfg = %+v", cfg)
				}
			}, nil},
		{"token_from_file", map[string]string{"TELEGRAM_BOT_TOKEN_FILE": tokenFile, "TELEGRAM_CHAT_ID": "@lapaeriaexplica"},
			func(t *testing.T, cfg poster.Config) {
				if cfg.Token != testToken {
					t.Errorf("token not read from the file")
				}
			}, nil},
		{"nothing_set_refuses_naming_what_to_set", nil, nil, []string{
			"TELEGRAM_BOT_TOKEN: not set, and no sandbox asked for (want TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE for the real channel, or TELEGRAM_SANDBOX=1 for the local sandbox)"}},
		{"sandbox_off_refuses_too", map[string]string{"TELEGRAM_SANDBOX": "0"}, nil, []string{"TELEGRAM_BOT_TOKEN: not set"}},
		{"token_and_sandbox_is_ambiguous", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_CHAT_ID": "@x1234", "TELEGRAM_SANDBOX": "1"},
			nil, []string{"TELEGRAM_SANDBOX: 1 while a bot token is set"}},
		{"token_twice", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_BOT_TOKEN_FILE": tokenFile, "TELEGRAM_CHAT_ID": "@x1234"},
			nil, []string{"TELEGRAM_BOT_TOKEN: set TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE, not both"}},
		{"missing_token_file", map[string]string{"TELEGRAM_BOT_TOKEN_FILE": "/nonexistent/token", "TELEGRAM_CHAT_ID": "@x1234"},
			nil, []string{"TELEGRAM_BOT_TOKEN_FILE: open /nonexistent/token"}},
		{"token_without_chat", map[string]string{"TELEGRAM_BOT_TOKEN": testToken}, nil, []string{"TELEGRAM_CHAT_ID: not set"}},
		{"two_chats_for_a_language", map[string]string{"TELEGRAM_SANDBOX": "1", "TELEGRAM_CHATS": "es=@lapaeriaexplica_es", "TELEGRAM_CHAT_ID_ES": "@altre_canal"},
			nil, []string{`TELEGRAM_CHAT_ID_ES: "@altre_canal" for es, but another setting gives @lapaeriaexplica_es (want one chat per language)`}},
		{"bad_values_all_at_once", map[string]string{"TELEGRAM_SANDBOX": "potser", "TELEGRAM_CHAT_ID": "la paeria",
			"TELEGRAM_CHATS": "es", "TELEGRAM_API_URL": "api.telegram.org", "TELEGRAM_PER_CHAT_PER_MINUTE": "vint",
			"TELEGRAM_GLOBAL_PER_SECOND": "0", "TELEGRAM_REQUEST_TIMEOUT": "30", "TELEGRAM_WORKERS": "0",
			"TELEGRAM_SANDBOX_ADDR": "8082", "WEB_BASE_URL": "covid.paeria.cat", "TELEGRAM_CHAT_ID_FR": "fr", "NATS_REPLICAS": "9"},
			nil, []string{
				`TELEGRAM_SANDBOX: "potser" is not a yes or no (want 1 or 0)`,
				`TELEGRAM_CHAT_ID: "la paeria" does not fit (want @name or a numeric chat id such as -1001234567890)`,
				`TELEGRAM_CHATS: "es" is not lang=chat (want e.g. es=@lapaeriaexplica_es,en=-1001234567890)`,
				`TELEGRAM_API_URL: "api.telegram.org" is not a web address`,
				`TELEGRAM_PER_CHAT_PER_MINUTE: "vint" is not a rate (want a positive number, or -1 to turn pacing off)`,
				`TELEGRAM_GLOBAL_PER_SECOND: "0" is not a rate`,
				`TELEGRAM_REQUEST_TIMEOUT: "30" is not a duration from 100ms to 5m0s`,
				`TELEGRAM_WORKERS: "0" is out of range (want a whole number from 1 to 16)`,
				`TELEGRAM_SANDBOX_ADDR: "8082" is not an address`,
				`WEB_BASE_URL: "covid.paeria.cat" is not a web address`,
				`TELEGRAM_CHAT_ID_FR: "fr" is not a chat`,
				`NATS_REPLICAS: "9" is out of range`,
				// The sandbox flag was refused, so the service knows no channel.
				`TELEGRAM_BOT_TOKEN: not set`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := poster.LoadConfig(getenv(tt.vars))
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("no error; want %q", tt.wantErr)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error lacks %q:\n%v", want, err)
					}
				}
				if lines := strings.Count(err.Error(), "\n") + 1; lines != len(tt.wantErr) {
					t.Errorf("%d problems reported, want %d:\n%v", lines, len(tt.wantErr), err)
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

func TestSecretsAreNeverEchoed(t *testing.T) {
	const secret = "123:this-is-a-SECRET-but-too-short"
	for name, vars := range map[string]map[string]string{
		"malformed":              {"TELEGRAM_BOT_TOKEN": secret + " x", "TELEGRAM_CHAT_ID": "@lapaeriaexplica"},
		"malformed_in_a_file":    {"TELEGRAM_BOT_TOKEN_FILE": writeFile(t, secret+" x"), "TELEGRAM_CHAT_ID": "@lapaeriaexplica"},
		"with_the_sandbox":       {"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_SANDBOX": "1"},
		"with_a_bad_chat":        {"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_CHAT_ID": "?"},
		"set_twice":              {"TELEGRAM_BOT_TOKEN": secret, "TELEGRAM_BOT_TOKEN_FILE": writeFile(t, secret)},
		"valid_with_no_chat_set": {"TELEGRAM_BOT_TOKEN": testToken},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := poster.LoadConfig(getenv(vars))
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), strings.Split(testToken, ":")[1]) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}
