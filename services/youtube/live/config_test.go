package live_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/youtube/live"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte(clientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := map[string]string{"YOUTUBE_CLIENT_ID": clientID, "YOUTUBE_CLIENT_SECRET": clientSecret,
		"YOUTUBE_REFRESH_TOKEN": refreshToken}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string
		check   func(t *testing.T, c live.Config)
	}{
		{name: "nothing_set_runs_the_sandbox_on_defaults", env: nil, check: func(t *testing.T, c live.Config) {
			if !c.Sandboxed() || c.SandboxAddr != "127.0.0.1:8083" || c.Privacy != "public" ||
				c.APIURL != live.DefaultAPIURL || c.DailyQuota != 10000 || c.WebBaseURL != "http://127.0.0.1:8081" {
				t.Errorf("defaults wrong: %+v", c)
			}
		}},
		{name: "all_credentials_use_youtube", env: creds, check: func(t *testing.T, c live.Config) {
			if c.Sandboxed() || c.ClientSecret != clientSecret || c.RefreshToken != refreshToken {
				t.Errorf("credentials not taken: sandboxed=%v", c.Sandboxed())
			}
		}},
		{name: "secret_from_file_trimmed", env: with(creds, "YOUTUBE_CLIENT_SECRET", "", "YOUTUBE_CLIENT_SECRET_FILE", secretFile),
			check: func(t *testing.T, c live.Config) {
				if c.ClientSecret != clientSecret {
					t.Error("secret from file not read or not trimmed")
				}
			}},
		{name: "both_secret_and_file", env: with(creds, "YOUTUBE_CLIENT_SECRET_FILE", secretFile),
			wantErr: []string{"YOUTUBE_CLIENT_SECRET and YOUTUBE_CLIENT_SECRET_FILE are both set"}},
		{name: "missing_secret_file", env: with(creds, "YOUTUBE_REFRESH_TOKEN", "", "YOUTUBE_REFRESH_TOKEN_FILE", filepath.Join(dir, "nope")),
			wantErr: []string{"YOUTUBE_REFRESH_TOKEN_FILE"}},
		{name: "partial_credentials_name_what_is_missing", env: map[string]string{"YOUTUBE_CLIENT_ID": clientID, "YOUTUBE_CLIENT_SECRET": clientSecret},
			wantErr: []string{"YOUTUBE_REFRESH_TOKEN is missing"}},
		{name: "bad_values_all_reported", env: with(creds, "YOUTUBE_PRIVACY", "secret", "YOUTUBE_API_URL", "ftp://x",
			"WEB_BASE_URL", "https://a/<b>", "YOUTUBE_TOKEN_URL", "https://user:pw@oauth2.test/token"),
			wantErr: []string{"YOUTUBE_TOKEN_URL: must not carry", "YOUTUBE_API_URL", "WEB_BASE_URL", "YOUTUBE_PRIVACY"}},
		{name: "unparsable_numbers_and_durations", env: with(creds, "YOUTUBE_DAILY_QUOTA", "lots", "YOUTUBE_TIMEOUT", "soon"),
			wantErr: []string{"YOUTUBE_DAILY_QUOTA", "YOUTUBE_TIMEOUT"}},
		{name: "durations_parsed", env: with(creds, "YOUTUBE_TIMEOUT", "3s", "NATS_ACK_WAIT", "45s"),
			check: func(t *testing.T, c live.Config) {
				if c.Timeout != 3*time.Second || c.AckWait != 45*time.Second {
					t.Errorf("timeout %s, ack wait %s", c.Timeout, c.AckWait)
				}
			}},
		{name: "sandbox_address_checked", env: map[string]string{"YOUTUBE_SANDBOX_ADDR": "8083"},
			wantErr: []string{"YOUTUBE_SANDBOX_ADDR"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := live.LoadConfig(func(k string) string { return tc.env[k] })
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, c)
				return
			}
			if err == nil {
				t.Fatalf("no error; want %q", tc.wantErr)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			for _, secret := range []string{clientSecret, refreshToken, "pw@"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a secret: %q", err)
				}
			}
		})
	}
}
