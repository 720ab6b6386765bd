package audit_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/natstest"
)

func TestRecentReturnsTheNewestEventsNewestFirst(t *testing.T) {
	conn := natstest.Start(t).Connect("test")
	ctx := context.Background()
	log, err := audit.New(ctx, conn.JS, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if evs, err := log.Recent(ctx, 10); err != nil || len(evs) != 0 {
		t.Fatalf("empty log: %v %v", evs, err)
	}
	for i := range 700 {
		if err := log.Record(ctx, audit.Event{Actor: "anna", Action: audit.Publish, Target: fmt.Sprintf("b%d@1", i), OK: true}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		n     int
		first string
		last  string
		count int
	}{
		{"a_page", 300, "b699@1", "b400@1", 300},
		{"more_than_one_fetch", 600, "b699@1", "b100@1", 600},
		{"more_than_there_are", 1000, "b699@1", "b0@1", 700},
		{"one", 1, "b699@1", "b699@1", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := log.Recent(ctx, tt.n)
			if err != nil || len(evs) != tt.count || evs[0].Target != tt.first || evs[len(evs)-1].Target != tt.last {
				t.Errorf("Recent(%d): %d events, err %v", tt.n, len(evs), err)
			}
			if evs[0].At.IsZero() {
				t.Error("events carry no time")
			}
		})
	}
	// Created again at the next start: the events stay.
	if _, err := audit.New(ctx, conn.JS, 1, nil); err != nil {
		t.Fatal(err)
	}
	if evs, _ := log.Recent(ctx, 1000); len(evs) != 700 {
		t.Errorf("after a second New: %d events", len(evs))
	}
}
