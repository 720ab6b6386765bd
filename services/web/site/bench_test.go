package site_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// Load-generator bounds: it stops at whichever comes first.
const (
	loadConcurrency = 32
	loadRequests    = 20000
	loadMaxTime     = 30 * time.Second
)

// benchBus starts an embedded NATS server with relaxed fsync (benchmarks only: see
// bus.EmbeddedConfig.RelaxedSync) and fills it with n bulletins, the way the editor
// would have published them, as fast as the server takes them.
func benchBus(b *testing.B, n int) jetstream.JetStream {
	b.Helper()
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Host: "127.0.0.1", Port: -1, StoreDir: b.TempDir(), RelaxedSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Shutdown)
	conn, err := bus.Connect(context.Background(), bus.ConnConfig{URL: srv.URL(), Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.NC.Close() })
	ctx := context.Background()
	if err := bus.Setup(ctx, conn.JS, bus.Topology{}); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2020, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		lang := []string{"ca", "es"}[i%2]
		body := fmt.Sprintf("La Paeria informa (avís %d) que **cal quedar-se a casa** fins al dia %d. "+
			"Consulteu [el web](https://www.paeria.cat/covid/%d) o truqueu al 973 700 %03d.\n\n- Farmàcies de guàrdia: %d\n- Mercats oberts: %d\n",
			i, 1+i%28, i, i%1000, i%13, i%7)
		bl := &bulletin.Bulletin{ID: fmt.Sprintf("comunicat-%05d", i), Title: fmt.Sprintf("Comunicat %d de la Paeria sobre la COVID-19", i),
			Lang: lang, Group: fmt.Sprintf("grup-%05d", i/2), Channels: []string{bulletin.Web}, Urgent: i%97 == 0, Body: body}
		rev := &bulletin.Revision{ID: bl.ID, Rev: 1, Action: bulletin.Publish, At: start.Add(time.Duration(i) * time.Minute), Hash: bl.Hash(), Bulletin: bl}
		data, err := bus.Encode(rev)
		if err != nil {
			b.Fatal(err)
		}
		subject, err := bus.RevisionSubject(bl.ID)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.JS.PublishAsync(subject, data, jetstream.WithMsgID(rev.Key())); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-conn.JS.PublishAsyncComplete():
	case <-time.After(time.Minute):
		b.Fatal("publishing the bulletins took over a minute")
	}
	return conn.JS
}

// runService runs the web service on js and returns its base URL and a stop function.
func runService(b *testing.B, js jetstream.JetStream) (string, func()) {
	b.Helper()
	cfg := site.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	svc, err := site.NewService(cfg, js, testLogger(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	for svc.Addr() == "" {
		time.Sleep(time.Millisecond)
	}
	return "http://" + svc.Addr(), func() { cancel(); <-done }
}

// loadResult is what one load run measured.
type loadResult struct {
	requests int
	elapsed  time.Duration
	p50, p99 time.Duration
	errors   int64
}

// add sums two runs; the p50 and p99 kept are the worse of the two.
func (r loadResult) add(o loadResult) loadResult {
	return loadResult{requests: r.requests + o.requests, elapsed: r.elapsed + o.elapsed,
		p50: max(r.p50, o.p50), p99: max(r.p99, o.p99), errors: r.errors + o.errors}
}

func (r loadResult) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// load sends GET url from loadConcurrency clients over keep-alive connections until
// loadRequests are done or loadMaxTime has passed, asking for gzip like a browser.
func load(url string) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: loadConcurrency, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var next, errs atomic.Int64
	lat := make([][]time.Duration, loadConcurrency)
	deadline := time.Now().Add(loadMaxTime)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range loadConcurrency {
		wg.Go(func() {
			for next.Add(1) <= loadRequests && time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				t := time.Now()
				res, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					errs.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		})
	}
	wg.Wait()
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := loadResult{requests: len(all), elapsed: time.Since(start), errors: errs.Load()}
	if len(all) > 0 {
		r.p50, r.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return r
}

// servesAll reports whether the last page of the feed, at url, lists the oldest
// bulletin that is not urgent (urgent ones are pinned to the first page).
func servesAll(url string) bool {
	res, err := http.Get(url)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode == http.StatusOK && strings.Contains(string(body), "comunicat-00002")
}

// BenchmarkFrontPage1000 loads / (1,000 bulletins in the feed) and, in the same run, a
// plain http.FileServer serving the very bytes / answers with, and reports both:
// requests per second over all iterations, and the worst iteration's p99.
func BenchmarkFrontPage1000(b *testing.B) {
	js := benchBus(b, 1000)
	base, stop := runService(b, js)
	defer stop()
	var body []byte
	deadline := time.Now().Add(time.Minute)
	for {
		if servesAll(base + "/ca/?page=25") { // 500 groups, 20 a page
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the feed never held 1,000 bulletins")
		}
		time.Sleep(10 * time.Millisecond)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), body, 0o644); err != nil {
		b.Fatal(err)
	}
	static := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer static.Close()

	// The two targets take turns, so a noisy neighbour on the machine slows both.
	var page, file loadResult
	for b.Loop() {
		page = page.add(load(base + "/"))
		file = file.add(load(static.URL + "/"))
	}
	if page.errors+file.errors > 0 {
		b.Fatalf("errors: page %d, static %d", page.errors, file.errors)
	}
	b.ReportMetric(page.rps(), "page-req/s")
	b.ReportMetric(file.rps(), "static-req/s")
	b.ReportMetric(100*page.rps()/file.rps(), "%-of-static")
	b.ReportMetric(float64(page.p99.Microseconds()), "page-p99-µs")
	b.ReportMetric(float64(file.p99.Microseconds()), "static-p99-µs")
	b.ReportMetric(float64(len(body)), "bytes/page")
}

// BenchmarkColdStart10000 starts the web service on a bus holding 10,000 bulletins and
// measures the time until / serves the full feed (its last page lists the oldest one).
func BenchmarkColdStart10000(b *testing.B) {
	js := benchBus(b, 10000)
	var worst time.Duration
	for b.Loop() {
		start := time.Now()
		base, stop := runService(b, js)
		for {
			if servesAll(base + "/ca/?page=250") { // 5,000 groups, 20 a page
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatal("the full feed was not served within a minute")
			}
			time.Sleep(5 * time.Millisecond)
		}
		worst = max(worst, time.Since(start))
		stop()
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms-to-full-feed")
}

// BenchmarkLiveUpdate measures one op as: publish a bulletin on the bus until the open
// page's live stream announces the change (the page then fetches itself). The
// stream batches changes over 100 ms, which is included.
func BenchmarkLiveUpdate(b *testing.B) {
	js := benchBus(b, 100)
	base, stop := runService(b, js)
	defer stop()
	pub, err := bus.NewBulletins(context.Background(), js)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	events := make(chan struct{}, 64)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := res.Body.Read(buf)
			if strings.Contains(string(buf[:n]), "event: change") {
				events <- struct{}{}
			}
			if err != nil {
				return
			}
		}
	}()
	<-events // the opening event
	i := 0
	for b.Loop() {
		i++
		bl := &bulletin.Bulletin{ID: fmt.Sprintf("directe-%d", i), Title: "En directe", Lang: "ca", Group: fmt.Sprintf("directe-%d", i),
			Channels: []string{bulletin.Web}, Body: "Ara."}
		if _, err := pub.Publish(context.Background(), bl, "bench"); err != nil {
			b.Fatal(err)
		}
		select {
		case <-events:
		case <-time.After(10 * time.Second):
			b.Fatal("no live event within 10s")
		}
		// Drain the events of the same change (the delivery record may add one).
		b.StopTimer()
		for drained := false; !drained; {
			select {
			case <-events:
			case <-time.After(150 * time.Millisecond):
				drained = true
			}
		}
		b.StartTimer()
	}
}
