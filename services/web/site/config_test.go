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
		wantErr string // the whole line the error must hold
	}{
		{"defaults", nil, func(c site.Config) bool {
			return c.Addr == "127.0.0.1:8081" && c.BaseURL == "http://127.0.0.1:8081" && c.PageSize == 20 && c.FeedSize == 50 &&
				c.Heartbeat == 25*time.Second && c.TimeZone == "Europe/Madrid" && c.Workers == 1 && c.Topology.Replicas == 1
		}, ""},
		{"base_url_trailing_slash_trimmed", map[string]string{"WEB_BASE_URL": "https://www.paeria.cat/covid/"},
			func(c site.Config) bool { return c.BaseURL == "https://www.paeria.cat/covid" }, ""},
		{"all_set", map[string]string{"WEB_ADDR": "0.0.0.0:9000", "WEB_PAGE_SIZE": "10", "WEB_FEED_SIZE": "30",
			"WEB_SSE_HEARTBEAT": "10s", "WEB_TIME_ZONE": "UTC", "WEB_WORKERS": "2", "NATS_REPLICAS": "3"},
			func(c site.Config) bool {
				return c.Addr == "0.0.0.0:9000" && c.PageSize == 10 && c.FeedSize == 30 && c.Heartbeat == 10*time.Second &&
					c.TimeZone == "UTC" && c.Workers == 2 && c.Topology.Replicas == 3
			}, ""},
		{"relative_base_url", map[string]string{"WEB_BASE_URL": "/covid"}, nil,
			`WEB_BASE_URL: "/covid" is not a web address (want http:// or https:// and a host)`},
		{"javascript_base_url", map[string]string{"WEB_BASE_URL": "javascript:alert(1)"}, nil,
			`WEB_BASE_URL: "javascript:alert(1)" is not a web address`},
		{"base_url_with_query", map[string]string{"WEB_BASE_URL": "https://x.cat/?a=1"}, nil,
			`WEB_BASE_URL: "https://x.cat/?a=1" has a query or fragment (want a plain address, e.g. https://www.paeria.cat/covid)`},
		{"base_url_with_fragment", map[string]string{"WEB_BASE_URL": "https://x.cat/#top"}, nil,
			`WEB_BASE_URL: "https://x.cat/#top" has a query or fragment`},
		{"base_url_with_password", map[string]string{"WEB_BASE_URL": "https://u:p@x.cat"}, nil,
			`WEB_BASE_URL: "https://u:xxxxx@x.cat" carries a user or password (want none: every link would show it)`},
		{"addr_without_port", map[string]string{"WEB_ADDR": "localhost"}, nil,
			`WEB_ADDR: "localhost" is not an address (want host:port, e.g. 127.0.0.1:8080)`},
		{"page_size_words", map[string]string{"WEB_PAGE_SIZE": "twenty"}, nil,
			`WEB_PAGE_SIZE: "twenty" is out of range (want a whole number from 1 to 200)`},
		{"page_size_zero", map[string]string{"WEB_PAGE_SIZE": "0"}, nil, `WEB_PAGE_SIZE: "0" is out of range`},
		{"feed_size_huge", map[string]string{"WEB_FEED_SIZE": "100000"}, nil,
			`WEB_FEED_SIZE: "100000" is out of range (want a whole number from 1 to 500)`},
		{"heartbeat_not_duration", map[string]string{"WEB_SSE_HEARTBEAT": "25"}, nil,
			`WEB_SSE_HEARTBEAT: "25" is not a duration from 1s to 1h0m0s (want e.g. 30s, 5m)`},
		{"heartbeat_too_short", map[string]string{"WEB_SSE_HEARTBEAT": "10ms"}, nil, `WEB_SSE_HEARTBEAT: "10ms" is not a duration`},
		{"unknown_time_zone", map[string]string{"WEB_TIME_ZONE": "Mars/Olympus"}, nil,
			`WEB_TIME_ZONE: "Mars/Olympus" is not a time zone (want an IANA name, e.g. Europe/Madrid)`},
		{"workers_zero", map[string]string{"WEB_WORKERS": "0"}, nil,
			`WEB_WORKERS: "0" is out of range (want a whole number from 1 to 16)`},
		{"replicas_bad", map[string]string{"NATS_REPLICAS": "tres"}, nil, `NATS_REPLICAS: "tres" is out of range`},
		{"stream_defaults", nil, func(c site.Config) bool {
			return c.MaxStreams == 0 && c.MaxStreamsPerAddr == 4 && c.StreamLifetime == 10*time.Minute && c.TrustedProxies == "127.0.0.0/8,::1"
		}, ""},
		{"streams_set", map[string]string{"WEB_MAX_STREAMS": "500", "WEB_MAX_STREAMS_PER_ADDR": "2",
			"WEB_STREAM_LIFETIME": "5m", "WEB_TRUSTED_PROXIES": "none"}, func(c site.Config) bool {
			return c.MaxStreams == 500 && c.MaxStreamsPerAddr == 2 && c.StreamLifetime == 5*time.Minute && c.TrustedProxies == "none"
		}, ""},
		{"trusted_proxies_list", map[string]string{"WEB_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/16,fd00::/8"},
			func(c site.Config) bool { return c.TrustedProxies == "10.0.0.5, 192.168.0.0/16,fd00::/8" }, ""},
		{"max_streams_negative", map[string]string{"WEB_MAX_STREAMS": "-1"}, nil,
			`WEB_MAX_STREAMS: "-1" is out of range (want a whole number from 0 to 100000)`},
		{"per_addr_zero", map[string]string{"WEB_MAX_STREAMS_PER_ADDR": "0"}, nil,
			`WEB_MAX_STREAMS_PER_ADDR: "0" is out of range (want a whole number from 1 to 1000)`},
		{"lifetime_too_short", map[string]string{"WEB_STREAM_LIFETIME": "100ms"}, nil,
			`WEB_STREAM_LIFETIME: "100ms" is not a duration from 1s to 24h0m0s`},
		{"trusted_proxies_bad", map[string]string{"WEB_TRUSTED_PROXIES": "10.0.0.5,proxy.paeria.cat"}, nil,
			`WEB_TRUSTED_PROXIES: "proxy.paeria.cat" is not an address or prefix (want none, or a comma-separated list, e.g. 127.0.0.0/8,10.0.0.5)`},
		{"channel_defaults", nil, func(c site.Config) bool {
			return c.TelegramURL == "https://t.me/lapaeriaexplica" && c.YouTubeURL == ""
		}, ""},
		{"channels_set", map[string]string{"WEB_TELEGRAM_URL": "none", "WEB_YOUTUBE_URL": "https://www.youtube.com/@paeria"},
			func(c site.Config) bool {
				return c.TelegramURL == "" && c.YouTubeURL == "https://www.youtube.com/@paeria"
			}, ""},
		{"telegram_http", map[string]string{"WEB_TELEGRAM_URL": "http://t.me/x"}, nil,
			`WEB_TELEGRAM_URL: "http://t.me/x" is not an https address (want e.g. https://t.me/lapaeriaexplica, or none)`},
		{"youtube_javascript", map[string]string{"WEB_YOUTUBE_URL": "javascript:alert(1)"}, nil,
			`WEB_YOUTUBE_URL: "javascript:alert(1)" is not an https address`},
		{"youtube_password", map[string]string{"WEB_YOUTUBE_URL": "https://u:p@youtube.com/x"}, nil,
			`WEB_YOUTUBE_URL: "https://u:xxxxx@youtube.com/x" carries a user or password`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := site.LoadConfig(func(k string) string { return c.env[k] })
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v\nwant one holding %s", err, c.wantErr)
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

// The old name of the time zone is refused, naming the new one, rather than quietly
// falling back to the default zone; the new name is read.
func TestOldTimeZoneNameIsRefused(t *testing.T) {
	_, err := site.LoadConfig(func(k string) string { return map[string]string{"WEB_TIMEZONE": "UTC"}[k] })
	if err == nil || !strings.Contains(err.Error(), "WEB_TIMEZONE: renamed (want WEB_TIME_ZONE)") {
		t.Errorf("err %v, want the rename named", err)
	}
	cfg, err := site.LoadConfig(func(k string) string { return map[string]string{"WEB_TIME_ZONE": "UTC"}[k] })
	if err != nil || cfg.TimeZone != "UTC" {
		t.Errorf("zone %q, err %v", cfg.TimeZone, err)
	}
}

func TestLoadConfigReportsEveryProblemAtOnce(t *testing.T) {
	env := map[string]string{"WEB_ADDR": "nowhere", "WEB_PAGE_SIZE": "many", "WEB_FEED_SIZE": "0", "WEB_BASE_URL": "ftp://x",
		"WEB_SSE_HEARTBEAT": "soon", "WEB_TIME_ZONE": "Nowhere/Town", "WEB_WORKERS": "99", "NATS_REPLICAS": "9"}
	_, err := site.LoadConfig(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(strings.TrimPrefix(err.Error(), "web settings: "), "\n")
	if len(lines) != len(env) {
		t.Errorf("%d problems reported, want %d:\n%s", len(lines), len(env), err)
	}
	for i, v := range []string{"WEB_ADDR", "WEB_BASE_URL", "WEB_PAGE_SIZE", "WEB_FEED_SIZE", "WEB_SSE_HEARTBEAT",
		"WEB_TIME_ZONE", "WEB_WORKERS", "NATS_REPLICAS"} {
		if i >= len(lines) || !strings.HasPrefix(lines[i], v+": "+`"`+env[v]+`"`) {
			t.Errorf("problem %d does not start %s: %q:\n%s", i, v, env[v], err)
		}
	}
}

// A Config built in code is held to the same rows, in the same words.
func TestValidate(t *testing.T) {
	cases := []struct {
		name    string
		change  func(*site.Config)
		wantErr string
	}{
		{"defaults", func(*site.Config) {}, ""},
		{"empty_addr", func(c *site.Config) { c.Addr = "" }, `WEB_ADDR: "" is not an address`},
		{"trailing_slash", func(c *site.Config) { c.BaseURL = "https://x.cat/covid/" },
			`WEB_BASE_URL: "https://x.cat/covid/" ends in a slash (want none, e.g. https://x.cat/covid)`},
		{"zero_page_size", func(c *site.Config) { c.PageSize = 0 }, `WEB_PAGE_SIZE: "0" is out of range`},
		{"zero_feed_size", func(c *site.Config) { c.FeedSize = 0 }, `WEB_FEED_SIZE: "0" is out of range`},
		{"no_heartbeat", func(c *site.Config) { c.Heartbeat = 0 }, `WEB_SSE_HEARTBEAT: "0s" is not a duration`},
		{"empty_zone", func(c *site.Config) { c.TimeZone = "" }, `WEB_TIME_ZONE: "" is not a time zone`},
		{"no_workers", func(c *site.Config) { c.Workers = 0 }, `WEB_WORKERS: "0" is out of range`},
		{"zero_per_addr", func(c *site.Config) { c.MaxStreamsPerAddr = 0 }, `WEB_MAX_STREAMS_PER_ADDR: "0" is out of range`},
		{"no_lifetime", func(c *site.Config) { c.StreamLifetime = 0 }, `WEB_STREAM_LIFETIME: "0s" is not a duration`},
		{"bad_proxy", func(c *site.Config) { c.TrustedProxies = "*" }, `WEB_TRUSTED_PROXIES: "*" is not an address or prefix`},
		{"no_proxies_in_code", func(c *site.Config) { c.TrustedProxies = "" }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := site.DefaultConfig()
			c.change(&cfg)
			err := cfg.Validate()
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err %v\nwant one holding %s", err, c.wantErr)
			}
		})
	}
}
