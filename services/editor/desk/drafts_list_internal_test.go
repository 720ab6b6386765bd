package desk

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
)

// A listing reports each draft's key once, whatever the lister sends twice, and skips
// keys no bulletin can have; it reads every key the lister sends.
func TestDraftKeys(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"duplicates", []string{"avis.bg", "avis", "avis.bg", "avis"}, []string{"avis", "avis.bg"}},
		{"bad ids skipped", []string{"Avis.x", "_x", "mercats.a"}, []string{"mercats.a"}},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := make(chan string, len(tt.in))
			for _, k := range tt.in {
				ch <- k
			}
			close(ch)
			if got := draftKeys(ch); !slices.Equal(got, tt.want) {
				t.Errorf("draftKeys(%v) = %v, want %v", tt.in, got, tt.want)
			}
			if len(ch) != 0 {
				t.Errorf("%d keys left unread", len(ch))
			}
		})
	}
}

// A listing that fails on one draft (here an unreadable one) still reads every key, so
// the lister's goroutine ends instead of waiting for good to hand over the rest.
func TestFailedListingLeavesNoListerBehind(t *testing.T) {
	ctx := context.Background()
	conn := natstest.Start(t).Connect("desk-test")
	d, err := New(ctx, Deps{JS: conn.JS, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	kv, err := conn.JS.KeyValue(ctx, bus.BucketDrafts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "aaa.x", []byte("not json")); err != nil { // listed first
		t.Fatal(err)
	}
	for i := range 300 { // more than the lister's buffer
		if _, err := kv.Put(ctx, fmt.Sprintf("avis-%03d.x", i), []byte(`{"author":"x"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Drafts(ctx); err == nil {
		t.Fatal("an unreadable draft listed without an error")
	}
	natstest.WaitFor(t, 10*time.Second, "the key lister's goroutine to end", func() bool {
		buf := make([]byte, 1<<20)
		return !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "(*kvs).ListKeys")
	})
}
