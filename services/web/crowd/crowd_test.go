package main

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/testenv"
)

// TestSmallCrowdIsNotifiedAndCounted runs the tool in-process with 50 readers: every
// one must connect, be notified and see the bulletin on its page, and the report must
// say so. No timing is asserted: the machine's load decides those.
// With -fetch event (the default, as live.js on /ca/) every reader shows it from the
// article its event carries; with -fetch article, by fetching the one article; with
// -fetch page, by refetching the page.
func TestSmallCrowdIsNotifiedAndCounted(t *testing.T) {
	for _, fetch := range []string{"event", "article", "page"} {
		t.Run(fetch, func(t *testing.T) { smallCrowd(t, fetch) })
	}
}

func smallCrowd(t *testing.T, fetch string) {
	var logs testenv.Logs
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg := DefaultConfig()
	cfg.Readers, cfg.Ramp, cfg.PerSource, cfg.Seed = 50, 200*time.Millisecond, 20, 3 // three source addresses
	cfg.Fetch = fetch
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg, log)
	if err != nil {
		t.Fatalf("run: %v\nlog:\n%s", err, logs.String())
	}
	if rep.Connected != 50 || rep.RefusedFull+rep.RefusedPerAddr+rep.Failed != 0 {
		t.Fatalf("connected %d, refused %d+%d, failed %d (%v); want 50 connected", rep.Connected, rep.RefusedFull, rep.RefusedPerAddr, rep.Failed, rep.Errors)
	}
	if rep.Sources != 3 {
		t.Errorf("spread over %d source addresses, want 3", rep.Sources)
	}
	if rep.Notified.Count != 50 || rep.Updated.Count != 50 || rep.Dropped != 0 {
		t.Errorf("notified %d, page updated %d, dropped %d; want 50, 50, 0", rep.Notified.Count, rep.Updated.Count, rep.Dropped)
	}
	if want := map[string]int{"event": 50}[fetch]; rep.ByEvent != want {
		t.Errorf("-fetch %s: %d readers showed it from the event's article, want %d", fetch, rep.ByEvent, want)
	}
	if want := map[string]int{"article": 50}[fetch]; rep.ByArticle != want {
		t.Errorf("-fetch %s: %d readers showed it by fetching the article, want %d", fetch, rep.ByArticle, want)
	}
	if rep.ProbeConnect.Count+rep.ProbeFanout.Count == 0 {
		t.Error("/ was never probed")
	}
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"connected     50 ", "notified      50/50", "page updated  50/50"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	if !strings.Contains(js.String(), `"connected": 50`) {
		t.Errorf("JSON report lacks the count:\n%s", js.String())
	}
}

// TestOnlyLoopbackTargets keeps the tool off every other address.
func TestOnlyLoopbackTargets(t *testing.T) {
	for _, u := range []string{"http://10.0.0.1:8081", "http://example.org", "https://127.0.0.1:8081", "http://127.0.0.1:8081/x"} {
		cfg := DefaultConfig()
		cfg.URL = u
		if err := cfg.Validate(); err == nil {
			t.Errorf("-url %s accepted", u)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8081", "http://[::1]:8081", "http://localhost:8081/"} {
		cfg := DefaultConfig()
		cfg.URL = u
		if err := cfg.Validate(); err != nil {
			t.Errorf("-url %s refused: %v", u, err)
		}
	}
	cfg := DefaultConfig()
	cfg.URL, cfg.NATSURL = "http://127.0.0.1:8081", "nats://192.168.1.2:4222"
	if err := cfg.Validate(); err == nil {
		t.Error("-nats off loopback accepted")
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"--help"}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "-readers") {
		t.Fatalf("--help: code %d, output %q", code, errb.String())
	}
	if code := run(t.Context(), []string{"-readers", "0"}, &out, &errb); code != 2 {
		t.Fatalf("-readers 0: code %d, want 2", code)
	}
	errb.Reset()
	if code := run(t.Context(), []string{"-fetch", "everything"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "-fetch") {
		t.Fatalf("-fetch everything: code %d, output %q; want 2 naming -fetch", code, errb.String())
	}
}

// The reader shows the new bulletin the way live.js would: from the event's article on
// a list's first page, unless it adds a page the event brings no links for; by
// fetching the article where the event carries none; by the page elsewhere.
func TestShowByFollowsLiveJS(t *testing.T) {
	first := func(total int) firstPage {
		return readFirstPage(`<html data-articles="/ca/article/" data-page-size="20" data-total="` + strconv.Itoa(total) + `">`)
	}
	named := &told{ID: "x"}
	carried := &told{ID: "x", Article: "<article>", Total: 1}
	withLinks := func(total int) *told {
		return &told{ID: "x", Article: "<article>", Pages: "<nav>", Total: total}
	}
	cases := []struct {
		name  string
		fp    firstPage
		fetch string
		c     *told
		want  shownBy
	}{
		{"carried", first(0), "event", carried, byEvent},
		{"only_named", first(0), "event", named, byArticle},
		{"carried_but_asked_to_fetch", first(0), "article", carried, byArticle},
		{"asked_for_page", first(5), "page", carried, byPage},
		{"a_second_page_without_links", first(20), "event", carried, byPage},
		{"a_second_page_with_links", first(20), "event", withLinks(21), byEvent},
		{"links_for_another_total", first(20), "event", withLinks(22), byPage},
		{"a_second_page_fetching", first(20), "article", withLinks(21), byPage},
		{"room_on_page", first(19), "article", named, byArticle},
		{"paged_same_count", first(30), "event", carried, byEvent},
		{"a_third_page_appears", first(40), "article", named, byPage},
		{"not_a_first_page", readFirstPage(`<html data-version="x">`), "event", carried, byPage},
		{"no_bulletin_event", first(3), "event", nil, byPage},
	}
	for _, c := range cases {
		if got := showBy(c.fp, c.fetch, c.c); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// The reader opens the stream the page names, as live.js does: with its language (and
// so the article in the event) only with -fetch event.
func TestEventsPathFollowsThePage(t *testing.T) {
	cases := []struct {
		name, page, fetch, want string
	}{
		{"first_page", `<html lang="ca" data-events="/events?lang=ca">`, "event", "/events?lang=ca"},
		{"first_page_under_a_prefix", `<html data-events="/covid/events?lang=es">`, "event", "/covid/events?lang=es"},
		{"as_before", `<html data-events="/events?lang=ca">`, "article", "/events"},
		{"page_refetch", `<html data-events="/events?lang=ca">`, "page", "/events"},
		{"other_page", `<html data-events="/events">`, "event", "/events"},
		{"no_attribute", `<html>`, "event", "/events"},
	}
	for _, c := range cases {
		if got := eventsPath(c.page, c.fetch); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
