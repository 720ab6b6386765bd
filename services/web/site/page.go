package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// page is a response rendered once and served many times: its bytes, gzipped too, and
// the validators a browser revalidates with.
type page struct {
	status   int
	ctype    string
	cache    string // Cache-Control
	body, gz []byte
	etag     string // of body, strong unless W/ (see renderView); the gzipped variant adds -gz
	modified time.Time
}

// Cache policies. Pages are revalidated on every view (a 304 is cheap) because a
// citizen must never read a withdrawn bulletin from a cache; assets carry their hash.
const (
	cacheRevalidate = "public, no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheError      = "no-store"
)

// minGzip is the size under which compressing is not worth the CPU of the phone.
const minGzip = 512

func newPage(status int, ctype, cache string, body []byte, modified time.Time) *page {
	p := &page{status: status, ctype: ctype, cache: cache, body: body, etag: tagOf(body),
		modified: modified.UTC().Truncate(time.Second)}
	if len(body) >= minGzip {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
		_, _ = zw.Write(body)                                    // writes to memory do not fail
		_ = zw.Close()
		if buf.Len() < len(body) {
			p.gz = buf.Bytes()
		}
	}
	return p
}

// tagOf is the quoted entity tag of body.
func tagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}

func (p *page) gzETag() string { return strings.TrimSuffix(p.etag, `"`) + `-gz"` }

// serve writes p, or 304 when the request's validators match. vary names the request
// headers besides Accept-Encoding that chose p.
func serve(w http.ResponseWriter, r *http.Request, p *page, vary string) {
	h := w.Header()
	h.Set("Content-Type", p.ctype)
	h.Set("Cache-Control", p.cache)
	if vary != "" {
		h.Set("Vary", "Accept-Encoding, "+vary)
	} else {
		h.Set("Vary", "Accept-Encoding")
	}
	body, etag := p.body, p.etag
	if p.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = p.gz, p.gzETag()
		h.Set("Content-Encoding", "gzip")
	}
	if p.status == http.StatusOK {
		h.Set("ETag", etag)
		if !p.modified.IsZero() {
			h.Set("Last-Modified", p.modified.Format(http.TimeFormat))
		}
		if notModified(r, p) {
			h.Del("Content-Type")
			h.Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(p.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// notModified applies RFC 9110's rules: If-None-Match decides when present (weak
// comparison, either encoding's tag), otherwise If-Modified-Since.
func notModified(r *http.Request, p *page) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for tag := range strings.SplitSeq(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == strings.TrimPrefix(p.etag, "W/") || tag == strings.TrimPrefix(p.gzETag(), "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !p.modified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !p.modified.After(t)
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			return false
		}
		return true
	}
	return false
}
