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
		{name: "sandbox_asked_for_runs_on_defaults", env: map[string]string{"YOUTUBE_SANDBOX": "1"}, check: func(t *testing.T, c live.Config) {
			if !c.Sandbox || c.SandboxAddr != "127.0.0.1:8083" || c.Privacy != "public" || c.APIURL != live.DefaultAPIURL ||
				c.DailyQuota != 10000 || c.WebBaseURL != "http://127.0.0.1:8081" || c.Workers != 1 || c.BusReplicas != 1 ||
				c.AckWait != 30*time.Second || c.MinBackoff != time.Second || c.MaxAttempts != 10 || c.Timeout != 20*time.Second {
				t.Errorf("defaults wrong: %+v", c)
			}
		}},
		{name: "all_credentials_use_youtube", env: creds, check: func(t *testing.T, c live.Config) {
			if c.Sandbox || c.ClientSecret != clientSecret || c.RefreshToken != refreshToken {
				t.Errorf("credentials not taken: sandbox=%v", c.Sandbox)
			}
		}},
		{name: "secret_from_file_trimmed", env: with(creds, "YOUTUBE_CLIENT_SECRET", "", "YOUTUBE_CLIENT_SECRET_FILE", secretFile),
			check: func(t *testing.T, c live.Config) {
				if c.ClientSecret != clientSecret {
					t.Error("secret from file not read or not trimmed")
				}
			}},
		{name: "values_parsed", env: with(creds, "YOUTUBE_TIMEOUT", "3s", "YOUTUBE_ACK_WAIT", "45s", "YOUTUBE_WORKERS", "2",
			"NATS_REPLICAS", "3", "YOUTUBE_API_URL", "http://127.0.0.1:9999/api", "YOUTUBE_PRIVACY", "unlisted"),
			check: func(t *testing.T, c live.Config) {
				if c.Timeout != 3*time.Second || c.AckWait != 45*time.Second || c.Workers != 2 || c.BusReplicas != 3 ||
					c.APIURL != "http://127.0.0.1:9999/api/" || c.Privacy != "unlisted" {
					t.Errorf("cfg = %+v", c)
				}
			}},
		{name: "nothing_set_refuses_naming_what_to_set", env: nil, wantErr: []string{
			"YOUTUBE_CLIENT_ID, YOUTUBE_CLIENT_SECRET, YOUTUBE_REFRESH_TOKEN: not set, and no sandbox asked for " +
				"(want YOUTUBE_CLIENT_ID, YOUTUBE_CLIENT_SECRET and YOUTUBE_REFRESH_TOKEN (the secrets or their _FILE) for the real channel, " +
				"or YOUTUBE_SANDBOX=1 for the local sandbox)"}},
		{name: "credentials_and_sandbox_is_ambiguous", env: with(creds, "YOUTUBE_SANDBOX", "1"),
			wantErr: []string{"YOUTUBE_SANDBOX: 1 while credentials are set"}},
		{name: "one_credential_and_sandbox_is_ambiguous", env: map[string]string{"YOUTUBE_CLIENT_ID": clientID, "YOUTUBE_SANDBOX": "yes"},
			wantErr: []string{"YOUTUBE_SANDBOX: 1 while credentials are set"}},
		{name: "both_secret_and_file", env: with(creds, "YOUTUBE_CLIENT_SECRET_FILE", secretFile),
			wantErr: []string{"YOUTUBE_CLIENT_SECRET: set YOUTUBE_CLIENT_SECRET or YOUTUBE_CLIENT_SECRET_FILE, not both"}},
		{name: "missing_secret_file_is_not_also_missing", env: with(creds, "YOUTUBE_REFRESH_TOKEN", "", "YOUTUBE_REFRESH_TOKEN_FILE", filepath.Join(dir, "nope")),
			wantErr: []string{"YOUTUBE_REFRESH_TOKEN_FILE: open "}},
		{name: "partial_credentials_name_what_is_missing", env: map[string]string{"YOUTUBE_CLIENT_ID": clientID, "YOUTUBE_CLIENT_SECRET": clientSecret},
			wantErr: []string{"YOUTUBE_REFRESH_TOKEN: not set while other credentials are"}},
		{name: "renamed_variables_are_refused", env: with(creds, "YOUTUBE_REPLICAS", "2", "NATS_ACK_WAIT", "45s"),
			wantErr: []string{"YOUTUBE_REPLICAS: renamed (want YOUTUBE_WORKERS)", "NATS_ACK_WAIT: renamed (want YOUTUBE_ACK_WAIT)"}},
		{name: "bad_values_all_at_once", env: with(creds, "YOUTUBE_PRIVACY", "secret", "YOUTUBE_API_URL", "ftp://x",
			"WEB_BASE_URL", "https://a/<b>", "YOUTUBE_TOKEN_URL", "https://user:pw@oauth2.test/token",
			"YOUTUBE_DAILY_QUOTA", "lots", "YOUTUBE_TIMEOUT", "soon", "YOUTUBE_MAX_ATTEMPTS", "0", "YOUTUBE_MIN_BACKOFF", "-1s",
			"YOUTUBE_ACK_WAIT", "10ms", "YOUTUBE_WORKERS", "many", "YOUTUBE_SANDBOX_ADDR", "8083", "YOUTUBE_WATCH_URL", "watch",
			"NATS_REPLICAS", "0"),
			wantErr: []string{
				`YOUTUBE_TOKEN_URL: carries a user or password (want a web address without one)`,
				`YOUTUBE_API_URL: "ftp://x" is not a web address (want http:// or https:// and a host)`,
				`WEB_BASE_URL: "https://a/<b>" holds characters a YouTube description cannot (want no <, > or spaces)`,
				`YOUTUBE_PRIVACY: "secret" is not allowed (want one of public, unlisted, private)`,
				`YOUTUBE_DAILY_QUOTA: "lots" is out of range`,
				`YOUTUBE_TIMEOUT: "soon" is not a duration`,
				`YOUTUBE_MAX_ATTEMPTS: "0" is out of range (want a whole number from 1 to 1000)`,
				`YOUTUBE_MIN_BACKOFF: "-1s" is not a duration from 1ms to 5m0s`,
				`YOUTUBE_ACK_WAIT: "10ms" is not a duration from 1s to 1h0m0s`,
				`YOUTUBE_WORKERS: "many" is out of range`,
				`YOUTUBE_SANDBOX_ADDR: "8083" is not an address`,
				`YOUTUBE_WATCH_URL: "watch" is not a web address`,
				`NATS_REPLICAS: "0" is out of range`,
			}},
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
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			if lines := strings.Count(err.Error(), "\n") + 1; lines != len(tc.wantErr) {
				t.Errorf("%d problems reported, want %d:\n%v", lines, len(tc.wantErr), err)
			}
			for _, secret := range []string{clientSecret, refreshToken, "pw@"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a secret: %q", err)
				}
			}
		})
	}
}
