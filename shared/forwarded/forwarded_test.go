package forwarded

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClientBelievesOnlyTrustedHops(t *testing.T) {
	trusted, err := Parse("127.0.0.0/8, ::1, 10.0.0.5")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"direct", "203.0.113.7:5555", nil, "203.0.113.7"},
		{"direct client lies", "203.0.113.7:5555", []string{"10.9.9.9"}, "203.0.113.7"},
		{"through the proxy", "127.0.0.1:4000", []string{"198.51.100.2"}, "198.51.100.2"},
		{"client wrote a hop before the proxy", "127.0.0.1:4000", []string{"1.1.1.1, 198.51.100.2"}, "198.51.100.2"},
		{"two trusted proxies", "127.0.0.1:4000", []string{"198.51.100.2, 10.0.0.5"}, "198.51.100.2"},
		{"malformed hop", "127.0.0.1:4000", []string{"junk"}, "127.0.0.1"},
		{"headers given twice", "127.0.0.1:4000", []string{"1.1.1.1", "198.51.100.2"}, "198.51.100.2"},
		{"ipv6 mapped", "[::ffff:127.0.0.1]:4000", []string{"198.51.100.2"}, "198.51.100.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := trusted.Client(r).String(); got != tc.want {
				t.Errorf("Client = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseNamesWhatIsWrong(t *testing.T) {
	for _, v := range []string{"", "none", " 10.0.0.0/8 ,::1"} {
		if _, err := Parse(v); err != nil {
			t.Errorf("Parse(%q) = %v", v, err)
		}
	}
	if _, err := Parse("10.0.0.0/8,proxy.local"); err == nil || err.Error() != `"proxy.local" is not an address or prefix (want none, or a comma-separated list, e.g. 127.0.0.0/8,10.0.0.5)` {
		t.Errorf("Parse(bad) = %v", err)
	}
}

func TestMiddlewareRewritesTheRemoteAddress(t *testing.T) {
	trusted, _ := Parse("127.0.0.1")
	var seen string
	h := trusted.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = r.RemoteAddr }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:4000"
	r.Header.Set("X-Forwarded-For", "198.51.100.2")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if seen != "198.51.100.2:0" {
		t.Errorf("RemoteAddr = %q, want the reader's", seen)
	}
}
