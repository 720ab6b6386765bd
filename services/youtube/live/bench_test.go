package live_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/services/youtube/sandbox"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/markdown"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
	"github.com/paeria/pregoner/shared/ytfields"
)

// BenchmarkDescription renders a bulletin into a description shortened to YouTube's
// 5000 bytes: a typical one (about 1 KB of Markdown) and a long one (about 18 KB).
func BenchmarkDescription(b *testing.B) {
	md := markdown.New()
	para := "El **paer en cap** informa de les [mesures](https://www.paeria.cat) vigents a Lleida.\n\n- Queda't a casa\n- Renta't les mans\n\n"
	for _, size := range []struct {
		name  string
		paras int
	}{{"typical_1KB", 8}, {"long_18KB", 150}, {"very_long_36KB", 300}} {
		b.Run(size.name, func(b *testing.B) {
			body := strings.Repeat(para, size.paras)
			bl := &bulletin.Bulletin{ID: "llarg", Body: body}
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if d := ytfields.Description(md, bl, webBase+"/bulletins/llarg"); len(d) > ytfields.MaxDescriptionBytes {
					b.Fatal("too long")
				}
			}
		})
	}
}

// BenchmarkDeliver schedules broadcasts through the real client library against the
// sandbox over loopback HTTP: field checks, description, token, insert, and the quota
// account on embedded NATS (a read before the call, a compare-and-set after it).
func BenchmarkDeliver(b *testing.B) {
	c := testenv.NewClock(lockdown)
	sb := sandbox.New(sandbox.Config{ClientID: clientID, ClientSecret: clientSecret, RefreshToken: refreshToken,
		Now: c.Now, DailyQuota: 1 << 40})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	vars := map[string]string{"YOUTUBE_CLIENT_ID": clientID, "YOUTUBE_CLIENT_SECRET": clientSecret,
		"YOUTUBE_REFRESH_TOKEN": refreshToken, "YOUTUBE_API_URL": srv.URL + "/", "YOUTUBE_TOKEN_URL": srv.URL + "/token"}
	cfg, err := live.LoadConfig(func(k string) string { return vars[k] })
	if err != nil {
		b.Fatal(err)
	}
	cfg.Now = c.Now
	conn := natstest.Start(b).Connect("youtube") // the quota account is on the bus
	q, err := live.OpenQuota(b.Context(), conn.JS, cfg)
	if err != nil {
		b.Fatal(err)
	}
	ch, err := live.NewChannel(cfg, q, nil)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		rev := &bulletin.Revision{ID: fmt.Sprint("b", i), Rev: 1, Action: bulletin.Publish, Bulletin: &bulletin.Bulletin{
			ID: fmt.Sprint("b", i), Title: "Roda de premsa", Body: "El **paer en cap** informa.",
			Live: &bulletin.Live{Start: lockdown.Add(time.Hour), Title: "Roda de premsa"}}}
		if _, err := ch.Deliver(b.Context(), delivery.Job{Revision: rev, Attempt: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
