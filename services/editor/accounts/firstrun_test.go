package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/natstest"
)

// Two replicas starting together make one link; a restart later replaces it (the old
// log line may be lost), and the old one stops working; only the hash is on the bus.
func TestFirstRunLinkIsOneAtATime(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()
	first, until, err := s.BeginFirstRun(ctx)
	if err != nil || !until.Equal(c.t.Add(FirstRunTTL)) {
		t.Fatalf("BeginFirstRun = %v, %v; want a link for 24 h", until, err)
	}
	if got := raw(t, s.users, firstRunKey); strings.Contains(got, first) {
		t.Fatal("the token itself is on the bus")
	}
	var pending *FirstRunPendingError
	if _, _, err := s.BeginFirstRun(ctx); !errors.As(err, &pending) {
		t.Fatalf("a second replica at once: %v, want FirstRunPendingError", err)
	}
	c.t = c.t.Add(2 * firstRunFresh)
	second, _, err := s.BeginFirstRun(ctx)
	if err != nil {
		t.Fatalf("a restart: %v", err)
	}
	if err := s.CheckFirstRun(ctx, first); !errors.Is(err, ErrFirstRunGone) {
		t.Fatalf("the replaced link: %v, want ErrFirstRunGone", err)
	}
	if err := s.CheckFirstRun(ctx, second); err != nil {
		t.Fatalf("the new link: %v", err)
	}
	c.t = c.t.Add(FirstRunTTL)
	if err := s.CheckFirstRun(ctx, second); !errors.Is(err, ErrFirstRunGone) {
		t.Fatalf("after 24 h: %v, want ErrFirstRunGone", err)
	}
	if _, err := s.AddUser(ctx, "anna", Admin, testPassword, "test"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.BeginFirstRun(ctx); !errors.Is(err, ErrHasAccounts) {
		t.Fatalf("with an account: %v, want ErrHasAccounts", err)
	}
	users, _ := s.Users(ctx)
	if len(users) != 1 {
		t.Fatalf("the link's record is listed as an account: %d users", len(users))
	}
}
