package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/service"
)

// rig is what the readers talk to: the page's base URL and a publisher on its bus.
type rig struct {
	base    string
	pub     *bus.Bulletins
	inProc  bool
	cleanup []func()
}

func (r *rig) close() {
	for i := len(r.cleanup) - 1; i >= 0; i-- {
		r.cleanup[i]()
	}
}

// startRig starts the embedded bus and the web service in this process, the way the
// hub does, with the stream caps raised for maxStreams readers.
func startRig(ctx context.Context, cfg Config, log *slog.Logger) (_ *rig, err error) {
	r := &rig{inProc: true}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	dir, err := os.MkdirTemp("", "crowd-nats-*")
	if err != nil {
		return nil, fmt.Errorf("crowd: bus directory: %w", err)
	}
	r.cleanup = append(r.cleanup, func() { _ = os.RemoveAll(dir) })
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Host: "127.0.0.1", Port: -1, StoreDir: dir, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("crowd: %w", err)
	}
	r.cleanup = append(r.cleanup, srv.Shutdown)
	pubConn, err := bus.Connect(ctx, bus.ConnConfig{URL: srv.URL(), Name: "crowd", Logger: log})
	if err != nil {
		return nil, fmt.Errorf("crowd: %w", err)
	}
	r.cleanup = append(r.cleanup, pubConn.Close)
	if err := bus.Setup(ctx, pubConn.JS, bus.Topology{}); err != nil {
		return nil, fmt.Errorf("crowd: %w", err)
	}
	if r.pub, err = bus.NewBulletins(ctx, pubConn.JS); err != nil {
		return nil, fmt.Errorf("crowd: %w", err)
	}
	for i := range cfg.Seed {
		b := seedBulletin(i)
		if _, err := r.pub.Publish(ctx, b, "crowd"); err != nil {
			return nil, fmt.Errorf("crowd: seed bulletin %s: %w", b.ID, err)
		}
	}
	webConn, err := bus.Connect(ctx, bus.ConnConfig{URL: srv.URL(), Name: "web", Logger: log})
	if err != nil {
		return nil, fmt.Errorf("crowd: %w", err)
	}
	r.cleanup = append(r.cleanup, webConn.Close)
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	r.base = "http://" + addr
	env := map[string]string{
		"WEB_ADDR":                 addr,
		"WEB_BASE_URL":             r.base,
		"WEB_MAX_STREAMS":          strconv.Itoa(min(cfg.Readers+100, 100000)),
		"WEB_MAX_STREAMS_PER_ADDR": strconv.Itoa(min(cfg.PerSource, 1000)),
		"WEB_TRUSTED_PROXIES":      "none",
	}
	webCtx, stopWeb := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() {
		done <- site.Spec().Run(webCtx, service.Env{JS: webConn.JS, Getenv: func(k string) string { return env[k] },
			Log: log.With("service", "web")})
	}()
	r.cleanup = append(r.cleanup, func() {
		stopWeb()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("crowd: web service stopped", "err", err)
		}
	})
	if err := waitHealthy(ctx, r.base, done); err != nil {
		return nil, err
	}
	return r, nil
}

// dialRig binds to a page already running at base and its bus.
func dialRig(ctx context.Context, cfg Config, log *slog.Logger) (_ *rig, err error) {
	u, err := loopbackBase(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("crowd: -url: %w", err)
	}
	r := &rig{base: u.String()}
	natsURL, seed := cfg.NATSURL, cfg.NkeySeed
	if natsURL == "" {
		natsURL = defaultNATS
	}
	if seed == "" {
		if _, err := os.Stat(defaultNkey); err == nil {
			seed = defaultNkey
		}
	}
	// It signs in as the editor (the only bus user that may publish bulletins).
	conn, err := bus.Connect(ctx, bus.ConnConfig{URL: natsURL, Name: "editor-crowd", User: "editor", NkeySeedFile: seed, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("crowd: %w", err)
	}
	r.cleanup = append(r.cleanup, conn.Close)
	if r.pub, err = bus.NewBulletins(ctx, conn.JS); err != nil {
		r.close()
		return nil, fmt.Errorf("crowd: %w", err)
	}
	if err := waitHealthy(ctx, r.base, nil); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// freeAddr is a free 127.0.0.1 port, for WEB_ADDR (the service is given an address,
// not a listener).
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("crowd: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitHealthy waits, at most 30 s, for /healthz to answer 200 (the feed is rebuilt).
func waitHealthy(ctx context.Context, base string, died <-chan error) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-died:
			return fmt.Errorf("crowd: the web service stopped while starting: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("crowd: %s/healthz not 200 in 30 s: %w", base, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func seedBulletin(i int) *bulletin.Bulletin {
	id := fmt.Sprintf("crowd-seed-%03d", i)
	return &bulletin.Bulletin{ID: id, Group: id, Lang: "ca", Channels: []string{bulletin.Web},
		Title: fmt.Sprintf("Avís %d de la Paeria sobre la COVID-19", i),
		Body:  fmt.Sprintf("La Paeria informa (avís %d) que **cal quedar-se a casa**. Consulteu el web o truqueu al 973 700 %03d.", i, i)}
}

// newsBulletin is the bulletin the crowd waits for; its id is what a reader looks for
// on the page (every entry links /bulletins/<id>). It is as long as the sample
// bulletins of content/ (paragraphs, a list, a link, tags: a ~1.4 KB article on the
// list), so that the article a live event carries weighs what a real one would.
func newsBulletin(now time.Time) *bulletin.Bulletin {
	id := fmt.Sprintf("crowd-%d", now.UnixNano())
	return &bulletin.Bulletin{ID: id, Group: id, Lang: "ca", Channels: []string{bulletin.Web}, Urgent: true,
		Title: "Prova de càrrega: la Paeria suspèn les activitats als equipaments municipals",
		Tags:  []string{"equipaments", "cultura", "esports"},
		Body: "Butlletí de prova publicat per l'eina crowd per mesurar les actualitzacions en directe. " +
			"Seguint les indicacions del Departament de Salut, la Paeria **suspèn a partir d'avui, " +
			"i durant quinze dies** totes les activitats obertes al públic als equipaments municipals.\n\n" +
			"Queden tancats:\n\n- Biblioteques municipals i ludoteques\n- Centres cívics i casals de gent gran\n" +
			"- Pavellons i piscines municipals\n- Museus, la Llotja i el Cafè del Teatre\n\n" +
			"Els serveis d'atenció social urgent es mantenen per telèfon. Trobareu tota la informació " +
			"actualitzada a [paeria.cat/covid-19](https://www.paeria.cat/cat/ajuntament/covid-19/).\n"}
}
