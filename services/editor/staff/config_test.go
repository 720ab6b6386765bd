package staff_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/service/servicetest"
)

func TestLoadConfigReadsTheEnvironmentAndSaysWhatIsWrong(t *testing.T) {
	keys := testKeyFile(t)
	badKeys := filepath.Join(t.TempDir(), "short.key")
	if err := os.WriteFile(badKeys, []byte("c2hvcnQ=\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(staff.Config) bool
	}{
		{"defaults", nil, "", func(c staff.Config) bool {
			return c.Addr == "127.0.0.1:8080" && c.WebBaseURL == "http://127.0.0.1:8081" && c.SessionIdle == 30*time.Minute &&
				c.TimeZone == "Europe/Madrid" && c.Replicas == 1
		}},
		{"overrides", map[string]string{"EDITOR_ADDR": "0.0.0.0:9000", "EDITOR_WEB_BASE_URL": "https://covid.paeria.cat/", "EDITOR_SESSION_IDLE": "10m", "NATS_REPLICAS": "3"}, "",
			func(c staff.Config) bool {
				return c.Addr == "0.0.0.0:9000" && c.WebBaseURL == "https://covid.paeria.cat" && c.SessionIdle == 10*time.Minute && c.Replicas == 3
			}},
		{"bad_duration", map[string]string{"EDITOR_FAIL_BACKOFF_MAX": "un minut"}, `EDITOR_FAIL_BACKOFF_MAX: "un minut" is not a duration from 0s to 1h0m0s (want e.g. 30s, 5m)`, nil},
		{"bad_number", map[string]string{"EDITOR_FREE_FAILURES": "tres"}, `EDITOR_FREE_FAILURES: "tres" is out of range (want a whole number from 1 to 100)`, nil},
		{"backoff_longer_than_max", map[string]string{"EDITOR_FAIL_BACKOFF": "2m"}, "EDITOR_FAIL_BACKOFF: 2m0s is longer than EDITOR_FAIL_BACKOFF_MAX 1m0s (want the first wait no longer than the longest)", nil},
		{"renamed_lockout", map[string]string{"EDITOR_LOCKOUT": "15m"}, "EDITOR_LOCKOUT: no longer read (want EDITOR_FAIL_BACKOFF_MAX instead)", nil},
		{"renamed_max_failures", map[string]string{"EDITOR_MAX_FAILURES": "5"}, "EDITOR_MAX_FAILURES: no longer read (want EDITOR_FREE_FAILURES instead)", nil},
		{"bad_url", map[string]string{"EDITOR_WEB_BASE_URL": "covid.paeria.cat"}, `EDITOR_WEB_BASE_URL: "covid.paeria.cat" is not a web address (want http:// or https:// and a host)`, nil},
		{"bad_addr", map[string]string{"EDITOR_ADDR": "8080"}, `EDITOR_ADDR: "8080" is not an address (want host:port, e.g. 127.0.0.1:8080)`, nil},
		{"idle_longer_than_max", map[string]string{"EDITOR_SESSION_IDLE": "13h"}, "EDITOR_SESSION_IDLE: 13h0m0s is longer than EDITOR_SESSION_MAX 12h0m0s (want idle no longer than max)", nil},
		{"bad_zone", map[string]string{"EDITOR_TIME_ZONE": "Europe/Lleida"}, `EDITOR_TIME_ZONE: "Europe/Lleida" is not a time zone (want an IANA name, e.g. Europe/Madrid)`, nil},
		{"weak_bcrypt", map[string]string{"EDITOR_BCRYPT_COST": "2"}, `EDITOR_BCRYPT_COST: "2" is out of range (want a whole number from 4 to 31)`, nil},
		{"bad_replicas", map[string]string{"NATS_REPLICAS": "7"}, `NATS_REPLICAS: "7" is out of range (want a whole number from 1 to 5)`, nil},
		{"renamed_replicas", map[string]string{"EDITOR_REPLICAS": "3"}, "EDITOR_REPLICAS: no longer read (want NATS_REPLICAS instead)", nil},
		{"no_secret_key", map[string]string{"EDITOR_SECRET_KEY_FILE": " "}, "EDITOR_SECRET_KEY_FILE: not set (file of the keys that seal the TOTP secrets", nil},
		{"missing_secret_key", map[string]string{"EDITOR_SECRET_KEY_FILE": "/nonexistent/editor-totp.key"}, "EDITOR_SECRET_KEY_FILE: secret key file: open /nonexistent/editor-totp.key: no such file or directory (want 32 random bytes, raw or base64: editor keys init creates one)", nil},
		{"audit_cap_is_the_streams", map[string]string{"EDITOR_AUDIT_MAX_BYTES": "512MiB"}, "EDITOR_AUDIT_MAX_BYTES: no longer read (the audit log's cap is the AUDIT stream's own", nil},
		{"short_secret_key", map[string]string{"EDITOR_SECRET_KEY_FILE": badKeys}, "a key of 5 bytes (want 32)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := staff.LoadConfig(func(k string) string {
				if v, ok := tt.env[k]; ok {
					return v
				}
				if k == "EDITOR_SECRET_KEY_FILE" {
					return keys
				}
				return ""
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(c) {
				t.Errorf("config %+v, err %v", c, err)
			}
		})
	}
}

// Every problem at once, each on its own line, as every service reports its settings.
func TestLoadConfigReportsEveryProblem(t *testing.T) {
	_, err := staff.LoadConfig(func(k string) string {
		return map[string]string{"EDITOR_ADDR": "x", "EDITOR_FAIL_BACKOFF": "x", "EDITOR_MIN_PASSWORD": "4", "EDITOR_SECRET_KEY_FILE": testKeyFile(t)}[k]
	})
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("err = %v; want three problems, one a line", err)
	}
}

// A Config built in code is held to the table's checks, in the same words.
func TestValidateUsesTheTablesWords(t *testing.T) {
	cfg := testConfig(t)
	cfg.BcryptCost, cfg.Addr = 40, "nowhere"
	err := cfg.Validate()
	for _, want := range []string{`EDITOR_BCRYPT_COST: "40" is out of range (want a whole number from 4 to 31)`, `EDITOR_ADDR: "nowhere" is not an address`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if err := testConfig(t).Validate(); err != nil {
		t.Errorf("the defaults: %v", err)
	}
	if err := staff.DefaultConfig().Validate(); err == nil || !strings.Contains(err.Error(), "EDITOR_SECRET_KEY_FILE: not set") {
		t.Errorf("the defaults without a key file: %v; want EDITOR_SECRET_KEY_FILE refused", err)
	}
}

// The README's settings table is the one the service loads and --help prints.
func TestReadmeHoldsTheSettingsTable(t *testing.T) {
	servicetest.CheckREADME(t, "../README.md", staff.Spec(), false)
}

// The defaults in the table are the ones DefaultConfig has; the key file has none.
func TestTheTableDefaultsAreTheConfigDefaults(t *testing.T) {
	keys := testKeyFile(t)
	c, err := staff.LoadConfig(func(k string) string {
		if k == "EDITOR_SECRET_KEY_FILE" {
			return keys
		}
		return ""
	})
	want := staff.DefaultConfig()
	want.SecretKeyFile = keys
	if err != nil || c != want {
		t.Errorf("loaded from an empty environment: %+v, %v; want DefaultConfig %+v", c, err, staff.DefaultConfig())
	}
}
