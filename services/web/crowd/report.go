package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is what one run measured. Times are in milliseconds.
type Report struct {
	Readers        int    `json:"readers"`
	Ramp           string `json:"ramp"`
	Target         string `json:"target"`
	InProcess      bool   `json:"in_process"`
	Sources        int    `json:"source_addresses"`
	PerSource      int    `json:"per_source"`
	PageConns      int    `json:"page_conns_per_source"`
	FileLimit      uint64 `json:"file_limit_soft"`
	FileLimitHard  uint64 `json:"file_limit_hard"`
	ReadersAllowed int    `json:"readers_allowed_by_file_limit"`

	Connected      int      `json:"connected"`
	RefusedFull    int      `json:"refused_503"`
	RefusedPerAddr int      `json:"refused_429"`
	Failed         int      `json:"failed"`
	Errors         []string `json:"errors,omitempty"` // a few distinct ones
	ConnectSeconds float64  `json:"connect_seconds"`

	PublishAckMS float64 `json:"publish_ack_ms"`
	Notified     Dist    `json:"notified"`
	Updated      Dist    `json:"page_updated"`
	Fetch        string  `json:"fetch"`              // -fetch: event, article or page
	ByEvent      int     `json:"updated_by_event"`   // of Updated.Count: from the article the event carried
	ByArticle    int     `json:"updated_by_article"` // of Updated.Count: by fetching the one article
	Dropped      int     `json:"dropped_after_publish"`
	ProbeConnect Probe   `json:"root_while_connecting"`
	ProbeFanout  Probe   `json:"root_during_fanout"`
	PeakRSSMB    float64 `json:"peak_rss_mb"`

	NotifiedAim bool `json:"aim_all_notified_within_1s"`
	UpdatedAim  bool `json:"aim_all_updated_within_2s"`
}

// addrRE matches the host:port pairs that make every failure's text unique.
var addrRE = regexp.MustCompile(`(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):\d+`)

// Dist is how many of the connected readers got there, and how soon after the publish.
type Dist struct {
	Count int     `json:"count"`
	Of    int     `json:"of"`
	Min   float64 `json:"min_ms"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// Probe is the latency of GET / over a window.
type Probe struct {
	Count  int     `json:"count"`
	Failed int     `json:"failed"`
	P50    float64 `json:"p50_ms"`
	P95    float64 `json:"p95_ms"`
	Max    float64 `json:"max_ms"`
}

func (r *Report) collect(readers []reader) {
	var notified, updated []time.Duration
	seen := map[string]bool{}
	for _, rd := range readers {
		switch rd.outcome {
		case connected:
			r.Connected++
		case refusedFull:
			r.RefusedFull++
		case refusedPerAddr:
			r.RefusedPerAddr++
		default:
			r.Failed++
		}
		if e := addrRE.ReplaceAllString(rd.err, "ADDR"); e != "" && !seen[e] && len(r.Errors) < 5 {
			seen[e] = true
			r.Errors = append(r.Errors, e)
		}
		if rd.notified > 0 {
			notified = append(notified, rd.notified)
		}
		if rd.updated > 0 {
			updated = append(updated, rd.updated)
			switch rd.by {
			case byEvent:
				r.ByEvent++
			case byArticle:
				r.ByArticle++
			}
		}
		if rd.dropped {
			r.Dropped++
		}
	}
	r.Notified, r.Updated = dist(notified, r.Connected), dist(updated, r.Connected)
	r.NotifiedAim = r.Connected == r.Readers && r.Notified.Count == r.Readers && r.Notified.Max <= 1000
	r.UpdatedAim = r.Connected == r.Readers && r.Updated.Count == r.Readers && r.Updated.Max <= 2000
}

func dist(ds []time.Duration, of int) Dist {
	slices.Sort(ds)
	return Dist{Count: len(ds), Of: of, Min: pct(ds, 0), P50: pct(ds, 0.50), P95: pct(ds, 0.95), P99: pct(ds, 0.99), Max: pct(ds, 1)}
}

func probeStats(ds []time.Duration, failed int) Probe {
	slices.Sort(ds)
	return Probe{Count: len(ds), Failed: failed, P50: pct(ds, 0.50), P95: pct(ds, 0.95), Max: pct(ds, 1)}
}

// pct is the nearest-rank percentile of sorted ds, in ms; 0 for none.
func pct(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	i := max(int(math.Ceil(p*float64(len(ds))))-1, 0)
	return ms(ds[i])
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())/100) / 10 }

// peakRSSMB is the process's peak resident memory (VmHWM), 0 when unknown.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return math.Round(kb / 1024)
		}
	}
	return 0
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	if err := e.Encode(r); err != nil {
		return fmt.Errorf("crowd: report: %w", err)
	}
	return nil
}

// WriteText writes the report for a person.
func (r *Report) WriteText(w io.Writer) error {
	where := "a running page"
	if r.InProcess {
		where = "in-process page + embedded NATS (fsync on every write)"
	}
	yes := map[bool]string{true: "met", false: "MISSED"}
	var b strings.Builder
	fmt.Fprintf(&b, "crowd: %d readers over %s at %s (%s)\n", r.Readers, r.Ramp, r.Target, where)
	fmt.Fprintf(&b, "  sources       %d loopback address(es), %d readers each, %d page connections each\n", r.Sources, r.PerSource, r.PageConns)
	fmt.Fprintf(&b, "  file limit    soft %d, hard %d: this process holds about %d readers\n", r.FileLimit, r.FileLimitHard, r.ReadersAllowed)
	fmt.Fprintf(&b, "  connected     %d in %.1f s; refused %d (503 full) + %d (429 per address); failed %d\n",
		r.Connected, r.ConnectSeconds, r.RefusedFull, r.RefusedPerAddr, r.Failed)
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "    e.g. %s\n", e)
	}
	fmt.Fprintf(&b, "  publish       acked in %.1f ms (timings below are from just before the publish)\n", r.PublishAckMS)
	distLine(&b, "notified", r.Notified)
	distLine(&b, "page updated", r.Updated)
	fmt.Fprintf(&b, "  shown         -fetch %s: %d from the event's article, %d by fetching the article, %d by the page\n",
		r.Fetch, r.ByEvent, r.ByArticle, r.Updated.Count-r.ByEvent-r.ByArticle)
	if r.Dropped > 0 {
		fmt.Fprintf(&b, "  dropped       %d streams ended after the publish before their page showed it\n", r.Dropped)
	}
	probeLine(&b, "/ connecting", r.ProbeConnect)
	probeLine(&b, "/ fan-out", r.ProbeFanout)
	fmt.Fprintf(&b, "  peak RSS      %.0f MB (this whole process)\n", r.PeakRSSMB)
	fmt.Fprintf(&b, "  aims          every reader notified within 1 s: %s; page updated within 2 s: %s\n", yes[r.NotifiedAim], yes[r.UpdatedAim])
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("crowd: report: %w", err)
	}
	return nil
}

func distLine(b *strings.Builder, name string, d Dist) {
	fmt.Fprintf(b, "  %-13s %d/%d  min %.0f ms  p50 %.0f ms  p95 %.0f ms  p99 %.0f ms  max %.0f ms\n", name, d.Count, d.Of, d.Min, d.P50, d.P95, d.P99, d.Max)
}

func probeLine(b *strings.Builder, name string, p Probe) {
	fmt.Fprintf(b, "  %-13s %d probes, %d failed  p50 %.1f ms  p95 %.1f ms  max %.1f ms\n", name, p.Count, p.Failed, p.P50, p.P95, p.Max)
}
