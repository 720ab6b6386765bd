package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/natstest"
)

func TestSearchFiltersByActorActionAndBulletin(t *testing.T) {
	conn := natstest.Start(t).Connect("test")
	ctx := context.Background()
	log, err := audit.New(ctx, conn.JS, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 5,000 events, more than one search window: the matches are spread over them.
	for i := range 5000 {
		e := audit.Event{Actor: "anna", Action: audit.Publish, Target: fmt.Sprintf("b%d@1", i%50), OK: true}
		switch {
		case i%1000 == 7:
			e = audit.Event{Actor: "ada", Action: audit.UserRole, Target: "pau"}
		case i%500 == 3:
			e = audit.Event{Actor: "pau", Action: audit.Retract, Target: "b3@2"}
		}
		if err := log.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		f     audit.Filter
		n     int
		limit int
		want  int
		// complete says every event was looked at.
		complete bool
	}{
		{"actor", audit.Filter{Actor: "ada"}, 300, 0, 5, true},
		{"action", audit.Filter{Action: audit.Retract}, 300, 0, 10, true},
		{"bulletin, every revision", audit.Filter{Bulletin: "b3"}, 300, 0, 100, true},
		{"bulletin is not a prefix of another", audit.Filter{Bulletin: "b"}, 300, 0, 0, true},
		{"all three", audit.Filter{Actor: "pau", Action: audit.Retract, Bulletin: "b3"}, 300, 0, 10, true},
		{"none match", audit.Filter{Actor: "nobody"}, 300, 0, 0, true},
		{"unknown action reads nothing", audit.Filter{Action: "audit.>"}, 300, 0, 0, true},
		{"n newest only", audit.Filter{Actor: "anna"}, 7, 0, 7, false},
		{"limit stops the reading", audit.Filter{Actor: "ada"}, 300, 2000, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := log.Search(ctx, tt.f, tt.n, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Events) != tt.want || got.Complete != tt.complete {
				t.Fatalf("%d events, complete %v; want %d, %v", len(got.Events), got.Complete, tt.want, tt.complete)
			}
			for i, e := range got.Events {
				if (tt.f.Actor != "" && e.Actor != tt.f.Actor) || (tt.f.Action != "" && e.Action != tt.f.Action) {
					t.Errorf("event %d does not match: %+v", i, e)
				}
			}
		})
	}
	// Newest first: ada's last role change was event 4007.
	got, _ := log.Search(ctx, audit.Filter{Actor: "ada"}, 1, 0)
	all, _ := log.Recent(ctx, 1000)
	if len(got.Events) != 1 || all[992].Action != audit.UserRole || got.Events[0] != all[992] {
		t.Errorf("newest ada event: %+v", got.Events)
	}
}

// The stream is capped: the oldest events go, and the log warns past 80%.
func TestCappedStreamDropsTheOldestAndWarnsBeforeTheCap(t *testing.T) {
	conn := natstest.Start(t).Connect("test")
	ctx := context.Background()
	var logged bytes.Buffer
	const capBytes = 64 << 10
	s, err := conn.JS.Stream(ctx, audit.Stream)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.CachedInfo().Config
	cfg.MaxBytes = capBytes // the operator's cap, as nats stream edit AUDIT --max-bytes sets it
	if _, err := conn.JS.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	log, err := audit.New(ctx, conn.JS, 1, nil, audit.WithLog(slog.New(slog.NewTextHandler(&logged, nil))))
	if err != nil {
		t.Fatal(err)
	}
	detail := strings.Repeat("x", 200)
	for i := range 1000 {
		if err := log.Record(ctx, audit.Event{Actor: "anna", Action: audit.Publish, Target: fmt.Sprintf("b%d@1", i), Detail: detail}); err != nil {
			t.Fatal(err)
		}
	}
	size, limit, err := log.Usage(ctx)
	if err != nil || limit != capBytes || size > capBytes || size < capBytes*8/10 {
		t.Errorf("usage %d of %d, %v", size, limit, err)
	}
	evs, err := log.Recent(ctx, 2000)
	if err != nil || len(evs) == 0 || len(evs) >= 1000 || evs[0].Target != "b999@1" {
		t.Errorf("after the cap: %d events, newest %+v, %v", len(evs), evs[0], err)
	}
	if n := strings.Count(logged.String(), "audit stream near its cap"); n != 1 {
		t.Errorf("%d warnings (want one, then quiet for an hour):\n%s", n, logged.String())
	}
}
