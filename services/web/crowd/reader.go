package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
)

// outcome is how a reader's connection ended up.
type outcome int

const (
	pending   outcome = iota
	connected         // 200 and the first event
	refusedFull
	refusedPerAddr
	failed
)

// reader is one simulated browser with live.js. Its fields are written by its own
// goroutine only, and read once every goroutine has ended.
type reader struct {
	outcome  outcome
	err      string
	notified time.Duration // since the publish; 0: never
	updated  time.Duration
	dropped  bool // the stream ended after the publish, before the page showed it
	by       shownBy
}

// shownBy is how a reader came to show the bulletin.
type shownBy int

const (
	byPage    shownBy = iota // a refetch of the page
	byEvent                  // the article the event carried
	byArticle                // a fetch of the one article the event named
)

// published is when the bulletin was sent (zero before), and what the page must show.
type published struct {
	at     atomic.Pointer[time.Time]
	marker atomic.Pointer[string]
}

// crowdNet is what the readers share: the target and one page client per source.
type crowdNet struct {
	base    *url.URL
	path    string
	clients []*http.Client
	sources []*net.TCPAddr
	pub     *published
	fetch   string // "event", "article" or "page": Config.Fetch
}

var (
	versionRE  = regexp.MustCompile(`data-version="([^"]*)"`)
	eventsRE   = regexp.MustCompile(`data-events="([^"]*)"`)
	articlesRE = regexp.MustCompile(`data-articles="([^"]*)" data-page-size="(\d+)" data-total="(\d+)"`)
)

// told is a "bulletin" event: the one bulletin that changed between two versions, and
// on a stream with a language the article the list now shows of it.
type told struct {
	V, From, Kind, ID string
	Article, Pages    string
	Total             int
	Remove            bool
}

// run is one reader's life: load the page, open the stream, report on ready once
// (connected or not), then follow change events until the page shows the bulletin or
// ctx ends.
func (rd *reader) run(ctx context.Context, cn *crowdNet, src int, ready chan<- struct{}) {
	signalled := false
	signal := func(o outcome, err error) {
		rd.outcome = o
		if err != nil {
			rd.err = err.Error()
		}
		if !signalled {
			signalled = true
			ready <- struct{}{}
		}
	}
	defer func() {
		if !signalled {
			signal(failed, ctx.Err())
		}
	}()
	client := cn.clients[src]
	etag, shown, page, _, err := fetchPage(ctx, client, cn.base.String()+cn.path, "")
	if err != nil {
		signal(failed, fmt.Errorf("page: %w", err))
		return
	}
	fp := readFirstPage(page)
	stream := eventsPath(page, cn.fetch)
	d := net.Dialer{LocalAddr: cn.sources[src], Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", cn.base.Host)
	if err != nil {
		signal(failed, fmt.Errorf("events: %w", err))
		return
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	req := "GET " + stream + " HTTP/1.1\r\nHost: " + cn.base.Host + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		signal(failed, fmt.Errorf("events: %w", err))
		return
	}
	br := bufio.NewReaderSize(conn, 1024)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		signal(failed, fmt.Errorf("events: %w", err))
		return
	}
	// No res.Body.Close: it would read the stream to its end; conn.Close ends it.
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusServiceUnavailable:
		signal(refusedFull, nil)
		return
	case http.StatusTooManyRequests:
		signal(refusedPerAddr, nil)
		return
	default:
		signal(failed, fmt.Errorf("events: status %s", res.Status))
		return
	}
	events := bufio.NewReaderSize(res.Body, 512)
	var data, event string
	var last *told // the "bulletin" event just before a "change", as live.js keeps it
	for {
		line, err := events.ReadString('\n')
		if err != nil {
			if at := cn.pub.at.Load(); at != nil && signalled && rd.updated == 0 && ctx.Err() == nil {
				rd.dropped = true
			}
			if !signalled {
				signal(failed, fmt.Errorf("events: before the first event: %w", err))
			}
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(line[len("event:"):])
			continue
		case strings.HasPrefix(line, "data:"):
			data = strings.TrimSpace(line[len("data:"):])
			continue
		case line != "":
			continue // id:, retry:, comments
		}
		if event == "bulletin" && fp.articles != "" {
			last = new(told)
			if json.Unmarshal([]byte(data), last) != nil {
				last = nil
			}
		}
		if event != "change" {
			event, data = "", ""
			continue
		}
		v, c := data, last
		event, data, last = "", "", nil
		if !signalled {
			_ = conn.SetDeadline(time.Time{}) // from now on the stream's end is ctx's
			signal(connected, nil)
		}
		at := cn.pub.at.Load()
		if at == nil || v == shown {
			continue
		}
		if rd.notified == 0 {
			rd.notified = max(time.Since(*at), time.Nanosecond)
		}
		how := byPage
		if c != nil && c.V == v && c.From == shown && c.Kind == "published" {
			how = showBy(fp, cn.fetch, c)
		}
		switch how {
		case byEvent:
			// As live.js on a list's first page: the event carries the article itself.
			shown, fp.total = v, fp.total+1
			if strings.Contains(c.Article, *cn.pub.marker.Load()) {
				rd.updated = max(time.Since(*at), time.Nanosecond)
				rd.by = byEvent
				return
			}
			continue
		case byArticle:
			// As live.js on a list's first page: fetch the one article the event names.
			_, _, body, status, err := fetchPage(ctx, client, cn.base.String()+fp.articles+url.PathEscape(c.ID), "")
			if err == nil && status == http.StatusOK {
				shown, fp.total = v, fp.total+1 // the page's other articles are as they were at c.From
				if strings.Contains(body, *cn.pub.marker.Load()) {
					rd.updated = max(time.Since(*at), time.Nanosecond)
					rd.by = byArticle
					return
				}
				continue
			}
			// live.js falls back to the page; so does the reader.
		}
		newTag, _, body, status, err := fetchPage(ctx, client, cn.base.String()+cn.path, etag)
		if err != nil {
			rd.err = "refetch: " + err.Error()
			continue // a later event may do better, as live.js would
		}
		shown = v
		if status == http.StatusOK {
			etag = newTag
			if strings.Contains(body, *cn.pub.marker.Load()) {
				rd.updated = max(time.Since(*at), time.Nanosecond)
				return
			}
		}
	}
}

// fetchPage GETs u (revalidating with etag when set) and returns the page's ETag, its
// data-version, its body and the status (200 or 304).
func fetchPage(ctx context.Context, c *http.Client, u, etag string) (newTag, version, body string, status int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", "", "", 0, err
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	res, err := c.Do(req)
	if err != nil {
		return "", "", "", 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", "", "", 0, err
	}
	switch res.StatusCode {
	case http.StatusNotModified:
		return etag, "", "", res.StatusCode, nil
	case http.StatusOK:
		var version string
		if m := versionRE.FindSubmatch(b); m != nil {
			version = string(m[1])
		}
		return res.Header.Get("ETag"), version, string(b), res.StatusCode, nil
	default:
		return "", "", "", res.StatusCode, fmt.Errorf("status %s", res.Status)
	}
}

// pageClient loads pages from one source address over at most conns keep-alive
// connections, asking for gzip as a browser does (the transport decompresses).
func pageClient(src *net.TCPAddr, conns int) *http.Client {
	d := &net.Dialer{LocalAddr: src, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
		DialContext: d.DialContext, MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		IdleConnTimeout: time.Minute, ForceAttemptHTTP2: false,
	}}
}
