package staff_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/staff"
)

func TestLoadConfigReadsTheEnvironmentAndSaysWhatIsWrong(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(staff.Config) bool
	}{
		{"defaults", nil, "", func(c staff.Config) bool {
			return c.Addr == "127.0.0.1:8080" && c.WebBaseURL == "http://127.0.0.1:8081" && c.SessionIdle == 30*time.Minute && c.TimeZone == "Europe/Madrid"
		}},
		{"overrides", map[string]string{"EDITOR_ADDR": "0.0.0.0:9000", "WEB_BASE_URL": "https://covid.paeria.cat", "EDITOR_SESSION_IDLE": "10m", "EDITOR_REPLICAS": "3"}, "",
			func(c staff.Config) bool {
				return c.Addr == "0.0.0.0:9000" && c.WebBaseURL == "https://covid.paeria.cat" && c.SessionIdle == 10*time.Minute && c.Replicas == 3
			}},
		{"bad_duration", map[string]string{"EDITOR_LOCKOUT": "quinze minuts"}, `EDITOR_LOCKOUT="quinze minuts": not a duration`, nil},
		{"bad_number", map[string]string{"EDITOR_MAX_FAILURES": "cinc"}, `EDITOR_MAX_FAILURES="cinc": not a whole number`, nil},
		{"bad_url", map[string]string{"WEB_BASE_URL": "covid.paeria.cat"}, `WEB_BASE_URL "covid.paeria.cat": want an http(s) URL`, nil},
		{"idle_longer_than_max", map[string]string{"EDITOR_SESSION_IDLE": "13h"}, "idle no longer than max", nil},
		{"bad_zone", map[string]string{"EDITOR_TIME_ZONE": "Europe/Lleida"}, `EDITOR_TIME_ZONE "Europe/Lleida"`, nil},
		{"weak_bcrypt", map[string]string{"EDITOR_BCRYPT_COST": "2"}, "EDITOR_BCRYPT_COST 2: want 4 to 31", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := staff.LoadConfig(func(k string) string { return tt.env[k] })
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
