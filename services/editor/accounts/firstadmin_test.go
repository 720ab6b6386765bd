package accounts

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/natstest"
)

// Several doors asking for the first administrator at the same moment make exactly
// one; a refused password holds nothing; a claim left by an editor that stopped half
// way is taken over once stale.
func TestOneFirstAdministratorWhateverTheDoors(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()

	if _, err := s.AddFirstAdmin(ctx, "anna", "short", "cli"); err == nil {
		t.Fatal("a too-short password was accepted")
	}
	if _, err := s.claimFirstAdmin(ctx, "ghost"); err != nil { // an editor that stops here
		t.Fatalf("claim: %v", err)
	}
	if _, err := s.AddFirstAdmin(ctx, "anna", testPassword, "cli"); !errors.Is(err, ErrHasAccounts) {
		t.Fatalf("while a fresh claim is held: %v, want ErrHasAccounts", err)
	}
	c.t = c.t.Add(2 * firstAdminClaimTTL)

	names := []string{"anna", "bernat", "carme", "dolors", "núria"}
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.AddFirstAdmin(ctx, n, testPassword, "cli")
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrHasAccounts):
			t.Errorf("%s: %v, want ErrHasAccounts", names[i], err)
		}
	}
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if won != 1 || len(users) != 1 || users[0].Role != Admin {
		t.Fatalf("%d doors won, %d accounts; want exactly one administrator", won, len(users))
	}
}
