package accounts

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/natstest"
)

func TestTheWaitDoublesUpToTheCap(t *testing.T) {
	p := Policy{FreeFailures: 3, Backoff: 2 * time.Second, BackoffMax: time.Minute}
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {1, 0}, {3, 0}, {4, 2 * time.Second}, {5, 4 * time.Second}, {8, 32 * time.Second},
		{9, time.Minute}, {10, time.Minute}, {1 << 30, time.Minute}, // no overflow, no lock
	}
	for _, tt := range tests {
		if got := p.wait(tt.failures); got != tt.want {
			t.Errorf("wait after %d failures = %s, want %s", tt.failures, got, tt.want)
		}
	}
}

func TestClientKeyIsTheAddressWithoutThePort(t *testing.T) {
	tests := []struct{ remote, want string }{
		{"203.0.113.7:5000", "203.0.113.7"},
		{"203.0.113.7", "203.0.113.7"},
		{"[::ffff:203.0.113.7]:1", "203.0.113.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::9]:80", "2001:db8:1:2::/64"},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		if got := ClientKey(tt.remote); got != tt.want {
			t.Errorf("ClientKey(%q) = %q, want %q", tt.remote, got, tt.want)
		}
	}
}

// Every failure, whatever failed, runs bcrypt exactly once: an unknown name or a
// refusal unchecked costs what a wrong password costs.
func TestEveryFailureCostsOneBcrypt(t *testing.T) {
	now := time.Date(2020, 3, 14, 9, 0, 0, 0, time.UTC)
	conn := natstest.Start(t).Connect("editor")
	s, err := NewStore(context.Background(), conn.JS, Topology{SessionMaxAge: time.Hour},
		Policy{FreeFailures: 1, Backoff: time.Minute, BackoffMax: time.Minute, BcryptCost: 4, MinPassword: 12, Issuer: "test"},
		testKeys(t), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	var compares atomic.Int32
	bcryptCompare := s.compare
	s.compare = func(h, p []byte) error { compares.Add(1); return bcryptCompare(h, p) }
	ctx := context.Background()
	const pw = "correct horse battery"
	var na *NewAccount
	for _, name := range []string{"anna", "bea"} {
		if na, err = s.AddUser(ctx, name, Writer, pw, "test"); err != nil {
			t.Fatal(err)
		}
	}
	beaCode, _ := Code(na.User.TOTPSecret, now)
	// anna's account must wait; 203.0.113.9 must wait.
	for range 2 {
		_, _ = s.Authenticate(ctx, "anna", "wrong password!", "000000", "198.51.100.1:1")
		_, _ = s.Authenticate(ctx, "nobody", "wrong password!", "000000", "203.0.113.9:1")
	}
	tests := []struct{ name, user, pw, code, remote string }{
		{"unknown_name", "nobody", pw, "123456", "192.0.2.1:1"},
		{"wrong_password", "bea", "wrong password!", "123456", "192.0.2.2:1"},
		{"account_waiting", "anna", pw, "123456", "192.0.2.3:1"},
		{"address_waiting", "bea", pw, beaCode, "203.0.113.9:2"},
		{"bad_name", "Not A Name", pw, "123456", "192.0.2.4:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compares.Store(0)
			_, err := s.Authenticate(ctx, tt.user, tt.pw, tt.code, tt.remote)
			if !errors.Is(err, ErrBadLogin) {
				t.Errorf("err = %v, want ErrBadLogin", err)
			}
			if n := compares.Load(); n != 1 {
				t.Errorf("%d bcrypt comparisons, want 1", n)
			}
		})
	}
}
