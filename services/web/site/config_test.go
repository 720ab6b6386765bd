package site_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/web/site"
)

func TestLoadConfig(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    func(site.Config) bool
		wantErr string
	}{
		{"defaults", nil, func(c site.Config) bool {
			return c.Addr == "127.0.0.1:8081" && c.BaseURL == "http://127.0.0.1:8081" && c.PageSize == 20 && c.Heartbeat == 25*time.Second
		}, ""},
		{"base_url_trailing_slash_trimmed", map[string]string{"WEB_BASE_URL": "https://www.paeria.cat/covid/"},
			func(c site.Config) bool { return c.BaseURL == "https://www.paeria.cat/covid" }, ""},
		{"all_set", map[string]string{"WEB_ADDR": "0.0.0.0:9000", "WEB_PAGE_SIZE": "10", "WEB_FEED_SIZE": "30",
			"WEB_SSE_HEARTBEAT": "10s", "WEB_TIMEZONE": "UTC"},
			func(c site.Config) bool {
				return c.Addr == "0.0.0.0:9000" && c.PageSize == 10 && c.FeedSize == 30 && c.Heartbeat == 10*time.Second && c.TimeZone == "UTC"
			}, ""},
		{"relative_base_url", map[string]string{"WEB_BASE_URL": "/covid"}, nil, "WEB_BASE_URL"},
		{"javascript_base_url", map[string]string{"WEB_BASE_URL": "javascript:alert(1)"}, nil, "WEB_BASE_URL"},
		{"base_url_with_query", map[string]string{"WEB_BASE_URL": "https://x.cat/?a=1"}, nil, "WEB_BASE_URL"},
		{"base_url_with_password", map[string]string{"WEB_BASE_URL": "https://u:p@x.cat"}, nil, "WEB_BASE_URL"},
		{"addr_without_port", map[string]string{"WEB_ADDR": "localhost"}, nil, "WEB_ADDR"},
		{"page_size_words", map[string]string{"WEB_PAGE_SIZE": "twenty"}, nil, "WEB_PAGE_SIZE"},
		{"page_size_zero", map[string]string{"WEB_PAGE_SIZE": "0"}, nil, "WEB_PAGE_SIZE"},
		{"feed_size_huge", map[string]string{"WEB_FEED_SIZE": "100000"}, nil, "WEB_FEED_SIZE"},
		{"heartbeat_not_duration", map[string]string{"WEB_SSE_HEARTBEAT": "25"}, nil, "WEB_SSE_HEARTBEAT"},
		{"heartbeat_too_short", map[string]string{"WEB_SSE_HEARTBEAT": "10ms"}, nil, "WEB_SSE_HEARTBEAT"},
		{"unknown_time_zone", map[string]string{"WEB_TIMEZONE": "Mars/Olympus"}, nil, "WEB_TIMEZONE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := site.LoadConfig(func(k string) string { return c.env[k] })
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want one naming %s", err, c.wantErr)
				}
				if strings.Contains(err.Error(), "u:p@") {
					t.Errorf("error leaks credentials: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.want(cfg) {
				t.Errorf("got %+v", cfg)
			}
		})
	}
}

func TestLoadConfigReportsEveryProblemAtOnce(t *testing.T) {
	env := map[string]string{"WEB_PAGE_SIZE": "many", "WEB_BASE_URL": "ftp://x", "WEB_TIMEZONE": "Nowhere/Town"}
	_, err := site.LoadConfig(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"WEB_PAGE_SIZE", "WEB_BASE_URL", "WEB_TIMEZONE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}
