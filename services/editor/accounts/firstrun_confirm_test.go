package accounts

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/natstest"
)

// chosenFirstRun starts a first run and chooses anna's name and password with it.
func chosenFirstRun(t *testing.T, s *Store) (token, secret string) {
	t.Helper()
	ctx := context.Background()
	token, _, err := s.BeginFirstRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := s.ChooseFirstAdmin(ctx, token, "anna", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	return token, fs.Secret
}

// A confirm that fails after the code was right — here because another door holds the
// first-administrator claim — leaves the link working: once the way is clear, the same
// link makes the administrator, and only then is it used up.
func TestFailedFirstRunConfirmKeepsTheLink(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()
	token, secret := chosenFirstRun(t, s)
	if _, err := s.claimFirstAdmin(ctx, "ghost"); err != nil { // the command line, half way
		t.Fatal(err)
	}
	code, _ := Code(secret, c.t)
	if _, err := s.ConfirmFirstAdmin(ctx, token, code); !errors.Is(err, ErrFirstRunGone) {
		t.Fatalf("confirm while another door holds the claim: %v, want ErrFirstRunGone", err)
	}
	if err := s.CheckFirstRun(ctx, token); err != nil {
		t.Fatalf("the link after a failed confirm: %v, want it still working", err)
	}
	if err := s.users.Delete(ctx, firstAdminKey); err != nil { // that door gave up
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute) // the next code
	code, _ = Code(secret, c.t)
	u, err := s.ConfirmFirstAdmin(ctx, token, code)
	if err != nil || u.Name != "anna" || u.Role != Admin {
		t.Fatalf("confirm once the claim is free: %+v, %v", u, err)
	}
	if err := s.CheckFirstRun(ctx, token); !errors.Is(err, ErrFirstRunGone) {
		t.Fatalf("the link after the administrator was made: %v, want ErrFirstRunGone", err)
	}
	if n, err := s.countUsers(ctx); err != nil || n != 1 {
		t.Fatalf("%d accounts (%v), want the one administrator", n, err)
	}
}

// A code sent before a name and password were chosen is told apart from every other
// failure, so the page can ask for the name first; the link keeps working.
func TestFirstRunConfirmBeforeChoosing(t *testing.T) {
	c := &testClock{time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)}
	s := testStore(t, natstest.Start(t).Connect("editor").JS, testKeys(t), c)
	ctx := context.Background()
	token, _, err := s.BeginFirstRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmFirstAdmin(ctx, token, "123456"); !errors.Is(err, ErrFirstRunNotChosen) {
		t.Fatalf("confirm before choosing: %v, want ErrFirstRunNotChosen", err)
	}
	if err := s.CheckFirstRun(ctx, token); err != nil {
		t.Fatalf("the link after it: %v", err)
	}
}
