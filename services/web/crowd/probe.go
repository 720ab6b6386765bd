package main

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// probeSample is one GET / : when it started, how long it took, and whether it was a 200.
type probeSample struct {
	at  time.Time
	lat time.Duration
	ok  bool
}

// prober fetches / every interval over its own keep-alive connection (a reader who
// just arrived), until ctx ends.
type prober struct {
	mu      sync.Mutex
	samples []probeSample
}

func (p *prober) run(ctx context.Context, base string, every time.Duration) {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		ok := false
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
		if res, err := client.Do(req); err == nil {
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			ok = err == nil && res.StatusCode == http.StatusOK
		}
		if ctx.Err() != nil {
			return // cut short by the end of the run: not a sample
		}
		p.mu.Lock()
		p.samples = append(p.samples, probeSample{at: start, lat: time.Since(start), ok: ok})
		p.mu.Unlock()
	}
}

// between is the probes that started in [from, to).
func (p *prober) between(from, to time.Time) (lats []time.Duration, failed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.samples {
		if s.at.Before(from) || !s.at.Before(to) {
			continue
		}
		if !s.ok {
			failed++
			continue
		}
		lats = append(lats, s.lat)
	}
	return lats, failed
}
