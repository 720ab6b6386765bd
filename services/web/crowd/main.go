// Command crowd measures the page's live-update fan-out under a crowd: N readers each
// hold an /events stream, one bulletin is published through the bus, and it reports
// how soon every reader was notified and showed the bulletin, and how / answered
// meanwhile. See docs/crowd.md for the figures on this machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

const usage = `crowd: a load tool for the page's live updates (Server-Sent Events).

By default it starts, in this process, what the hub runs for the page: an embedded NATS
server (JetStream, every write fsynced, in a temporary directory that is removed) and
the web service (site.Spec) on a free 127.0.0.1 port, with WEB_MAX_STREAMS raised for
the run and WEB_TRUSTED_PROXIES=none. With -url it targets a page already running on
loopback instead, and publishes through -nats with -nkey (the hub's editor key).

Then it opens -readers readers over -ramp, spread over loopback source addresses
127.0.0.1, 127.0.0.2, ... (-per-source readers each). Each reader, like a browser with
live.js: loads -path, opens the stream the page names (/events?lang=ca on /ca/) and
waits for its first event. Once every reader is
connected, refused (503 full, 429 per address) or failed, it publishes one bulletin
(shared/bus Bulletins.Publish, web channel only). Each reader records when the next
change event arrived (notified) and when it showed the new bulletin (page updated):
as live.js, from the article the event carries, else after fetching that one article,
else after a conditional GET of -path with its ETag (-fetch). Meanwhile / is fetched every
-probe and its latency recorded. Every wait is bounded; the run stops by itself.

With -url the bulletin (id crowd-<nanoseconds>, urgent, web only) lands on that page's
bus for real; the tool retracts it at the end. The page must let -per-source streams
come from one address (WEB_MAX_STREAMS_PER_ADDR) and hold -readers (WEB_MAX_STREAMS).
The report's aims are the issue's: every reader notified within 1 s of the publish
and showing the bulletin within 2 s. The tool shares the machine with what it
measures: on one machine its own CPU is in the figures.

Usage: go run ./services/web/crowd [flags]

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit code: 0 done (whatever the figures),
// 1 the run could not be made, 2 a bad flag.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, verbose, asJSON, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "crowd: %v (see crowd --help)\n", err)
		return 2
	}
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			fmt.Fprintf(stderr, "crowd: -cpuprofile: %v\n", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "crowd: -cpuprofile: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := Run(ctx, cfg, log)
	if err != nil {
		log.Error("crowd: run failed", "err", err)
		return 1
	}
	if asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		log.Error("crowd: write the report", "err", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (cfg Config, verbose, asJSON bool, err error) {
	cfg = DefaultConfig()
	fs := flag.NewFlagSet("crowd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	fs.IntVar(&cfg.Readers, "readers", cfg.Readers, "readers to open, 1 to 100000")
	fs.DurationVar(&cfg.Ramp, "ramp", cfg.Ramp, "spread the readers' arrivals evenly over this long")
	fs.StringVar(&cfg.URL, "url", "", "target a running page at this loopback base URL (e.g. http://127.0.0.1:8081) instead of starting one")
	fs.StringVar(&cfg.NATSURL, "nats", "", "with -url: the bus to publish on (default "+defaultNATS+")")
	fs.StringVar(&cfg.NkeySeed, "nkey", "", "with -url: nkey seed file to publish with (default "+defaultNkey+" when it exists)")
	fs.StringVar(&cfg.Path, "path", cfg.Path, "the page each reader loads and refetches")
	fs.IntVar(&cfg.PerSource, "per-source", cfg.PerSource, "readers per loopback source address (the page's per-address cap; 1 to 1000 in-process)")
	fs.IntVar(&cfg.PageConns, "page-conns", cfg.PageConns, "keep-alive connections per source address for page loads (a proxy's upstream pool)")
	fs.IntVar(&cfg.Seed, "seed", cfg.Seed, "in-process: bulletins published before the readers arrive, so the page is not empty")
	fs.DurationVar(&cfg.ConnectWait, "connect-wait", cfg.ConnectWait, "how long after the ramp readers may take to connect")
	fs.DurationVar(&cfg.Wait, "wait", cfg.Wait, "how long after the publish readers may take to show the bulletin")
	fs.DurationVar(&cfg.Probe, "probe", cfg.Probe, "interval between probes of /")
	fs.StringVar(&cfg.Fetch, "fetch", cfg.Fetch, "after an event naming one bulletin: event (take the article it carries, as live.js does on a list's first page), article (a stream without articles, then fetch the one article) or page (refetch the page)")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.BoolVar(&verbose, "v", false, "log the service's and the tool's info lines too (stderr)")
	if err := fs.Parse(args); err != nil {
		return cfg, false, false, err
	}
	if fs.NArg() > 0 {
		return cfg, false, false, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg, verbose, asJSON, cfg.Validate()
}

// DefaultConfig is what the flags default to.
func DefaultConfig() Config {
	return Config{Readers: 2000, Ramp: 5 * time.Second, Path: "/ca/", PerSource: 1000, PageConns: 100,
		Seed: 20, ConnectWait: 30 * time.Second, Wait: 30 * time.Second, Probe: 100 * time.Millisecond, Fetch: "event"}
}
