package staff_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

var bannerRE = regexp.MustCompile(`(?s)<p class="sandbox"[^>]*>(.*?)</p>`)

// banner is the sandbox banner's text on a page, or "".
func banner(page string) string {
	m := bannerRE.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], ""))
}

// While a channel's latest records say it delivers to a sandbox, every page says so and
// names it; a record from the real channel takes the banner away.
func TestEveryPageSaysWhichChannelsAreSandboxes(t *testing.T) {
	e := newEnv(t)
	e.background()
	b := e.loggedIn("anna", accounts.Publisher)
	if st, _ := e.apiCall(e.token("importer", accounts.Publisher), "POST", "/api/bulletins", "text/markdown", avis); st != 201 {
		t.Fatalf("publish: %d", st)
	}
	if got := banner(b.get("/").body); got != "" {
		t.Fatalf("a banner before any sandbox delivery: %q", got)
	}
	store, err := delivery.NewStore(context.Background(), e.conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	put := func(channel string, state delivery.State, ref delivery.Ref) {
		t.Helper()
		_, rev, err := store.Get(context.Background(), "avis", channel)
		if err != nil {
			t.Fatal(err)
		}
		r := &delivery.Record{ID: "avis", Channel: channel, Rev: 1, State: state, Ref: ref, Updated: time.Now()}
		if _, err := store.Put(context.Background(), r, rev); err != nil {
			t.Fatal(err)
		}
	}
	put(bulletin.Telegram, delivery.Delivered, delivery.Ref{URL: "http://127.0.0.1:8082/", IDs: []string{"1"}, Sandbox: true})
	put(bulletin.YouTube, delivery.Delivered, delivery.Ref{IDs: []string{"yt1"}, Sandbox: true})
	put(bulletin.Web, delivery.Delivered, delivery.Ref{URL: "https://covid.paeria.test/bulletins/avis"})
	const want = "Sandbox — nothing reaches the real channel on telegram, youtube"
	natstest.WaitFor(t, 5*time.Second, "the banner", func() bool { return strings.Contains(banner(b.get("/").body), want) })
	for _, path := range []string{"/", "/bulletins/avis", "/bulletins/avis/edit", "/compose", "/audit", "/bulletins/ningu"} {
		if got := banner(b.get(path).body); !strings.HasPrefix(got, want+":") {
			t.Errorf("%s: banner %q, want it to start %q", path, got, want)
		}
	}
	if got := banner(e.browser().get("/login").body); !strings.HasPrefix(got, want) {
		t.Errorf("login page: banner %q", got)
	}
	// A retraction leaves nothing to show, so it says nothing of where: still a sandbox.
	put(bulletin.YouTube, delivery.Retracted, delivery.Ref{})
	time.Sleep(100 * time.Millisecond)
	if got := banner(b.get("/").body); !strings.HasPrefix(got, want) {
		t.Errorf("after a retraction: banner %q", got)
	}
	// Telegram delivers for real now; YouTube is still a sandbox.
	put(bulletin.Telegram, delivery.Delivered, delivery.Ref{URL: "https://t.me/lapaeriaexplica/7", IDs: []string{"7"}})
	natstest.WaitFor(t, 5*time.Second, "telegram off the banner", func() bool {
		return strings.HasPrefix(banner(b.get("/").body), "Sandbox — nothing reaches the real channel on youtube:")
	})
	put(bulletin.YouTube, delivery.Delivered, delivery.Ref{IDs: []string{"real"}})
	natstest.WaitFor(t, 5*time.Second, "no banner", func() bool { return banner(b.get("/").body) == "" })
}
