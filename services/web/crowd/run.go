package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"time"
)

// Run makes one run as cfg says and reports it. An error means the run could not be
// made (the bus or the page would not start, the publish failed); readers that were
// refused, failed or late are figures in the report, not errors.
func Run(ctx context.Context, cfg Config, log *slog.Logger) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("crowd: %w", err)
	}
	rep := &Report{Readers: cfg.Readers, Ramp: cfg.Ramp.String(), InProcess: cfg.URL == "", Sources: cfg.sources(), Fetch: cfg.Fetch,
		PerSource: cfg.PerSource, PageConns: cfg.PageConns}
	soft, hard, err := raiseFileLimit()
	if err != nil {
		log.Warn("crowd: open-file limit", "err", err)
	}
	rep.FileLimit, rep.FileLimitHard = soft, hard
	rep.ReadersAllowed = readersAllowed(soft, rep.InProcess, rep.Sources, cfg.PageConns)
	if soft > 0 && cfg.Readers > rep.ReadersAllowed {
		log.Warn("crowd: more readers than the open-file limit holds; expect failures",
			"readers", cfg.Readers, "allowed", rep.ReadersAllowed, "soft_limit", soft)
	}

	var r *rig
	if cfg.URL == "" {
		r, err = startRig(ctx, cfg, log)
	} else {
		r, err = dialRig(ctx, cfg, log)
	}
	if err != nil {
		return nil, err
	}
	defer r.close()
	rep.Target = r.base
	base, err := url.Parse(r.base)
	if err != nil {
		return nil, fmt.Errorf("crowd: target %q: %w", r.base, err)
	}
	ipv6 := net.ParseIP(base.Hostname()).To4() == nil && base.Hostname() != "localhost"

	probeCtx, stopProbe := context.WithCancel(ctx)
	defer stopProbe()
	var pr prober
	probeDone := make(chan struct{})
	go func() { defer close(probeDone); pr.run(probeCtx, r.base, cfg.Probe) }()

	cn := &crowdNet{base: base, path: cfg.Path, pub: &published{}, fetch: cfg.Fetch}
	for i := range rep.Sources {
		src := sourceAddr(i, ipv6)
		cn.sources = append(cn.sources, src)
		cn.clients = append(cn.clients, pageClient(src, cfg.PageConns))
	}
	defer func() {
		for _, c := range cn.clients {
			c.CloseIdleConnections()
		}
	}()

	readersCtx, stopReaders := context.WithCancel(ctx)
	defer stopReaders()
	readers := make([]reader, cfg.Readers)
	ready := make(chan struct{}, cfg.Readers)
	var wg sync.WaitGroup
	start := time.Now()
	log.Info("crowd: readers arriving", "readers", cfg.Readers, "ramp", cfg.Ramp, "sources", rep.Sources, "target", r.base)
	for i := range readers {
		offset := cfg.Ramp * time.Duration(i) / time.Duration(cfg.Readers)
		wg.Go(func() {
			t := time.NewTimer(offset)
			defer t.Stop()
			select {
			case <-t.C:
			case <-readersCtx.Done():
				readers[i].outcome, readers[i].err = failed, "never started: the run ended"
				ready <- struct{}{}
				return
			}
			readers[i].run(readersCtx, cn, i/cfg.PerSource, ready)
		})
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()

	// Every reader connected, refused or failed — or the connect time is up.
	connectBy := time.NewTimer(cfg.Ramp + cfg.ConnectWait)
	got := 0
wait:
	for got < cfg.Readers {
		select {
		case <-ready:
			got++
		case <-connectBy.C:
			log.Warn("crowd: connect time up; publishing anyway", "settled", got, "readers", cfg.Readers)
			break wait
		case <-ctx.Done():
			connectBy.Stop()
			return nil, fmt.Errorf("crowd: interrupted while readers connected: %w", ctx.Err())
		}
	}
	connectBy.Stop()
	connected := time.Now()
	rep.ConnectSeconds = connected.Sub(start).Seconds()
	log.Info("crowd: readers settled; publishing", "settled", got, "after", connected.Sub(start))

	b := newsBulletin(time.Now())
	cn.pub.marker.Store(&b.ID)
	t0 := time.Now()
	cn.pub.at.Store(&t0)
	if _, err := r.pub.Publish(ctx, b, "crowd"); err != nil {
		return nil, fmt.Errorf("crowd: publish %s: %w", b.ID, err)
	}
	rep.PublishAckMS = ms(time.Since(t0))
	if !r.inProc {
		defer func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if _, err := r.pub.Retract(rctx, b.ID, "crowd"); err != nil {
				log.Warn("crowd: retract the test bulletin", "id", b.ID, "err", err)
			}
		}()
	}

	waitFor := time.NewTimer(cfg.Wait)
	select {
	case <-allDone:
	case <-waitFor.C:
		log.Warn("crowd: wait time up; ending the readers that have not shown the bulletin", "wait", cfg.Wait)
	case <-ctx.Done():
	}
	waitFor.Stop()
	fanEnd := time.Now()
	stopReaders()
	<-allDone
	stopProbe()
	<-probeDone

	rep.collect(readers)
	rep.ProbeConnect = probeStats(pr.between(start, t0))
	rep.ProbeFanout = probeStats(pr.between(t0, fanEnd))
	rep.PeakRSSMB = peakRSSMB()
	return rep, nil
}
