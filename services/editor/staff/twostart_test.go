package staff_test

import (
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
)

// Two editors starting at once, each on its own connection with the editor's key, ask
// the bus nothing that key may not ask: a refused request is never answered (the server
// only reports the violation to the connection), so a start that made one would wait out
// its whole time-out. Each connection's last error says whether one was refused.
func TestTwoEditorsStartingAtOnceAskNothingRefused(t *testing.T) {
	dial, _ := cliBus(t)
	var wg sync.WaitGroup
	conns := []*bus.Conn{dial(t, bus.UserEditor), dial(t, bus.UserEditor)}
	errs := make([]error, len(conns))
	took := make([]time.Duration, len(conns))
	for i, c := range conns {
		wg.Go(func() {
			start := time.Now()
			_, errs[i] = staff.NewService(testConfig(t), c.JS, nil)
			took[i] = time.Since(start)
		})
	}
	wg.Wait()
	for i, c := range conns {
		if errs[i] != nil {
			t.Errorf("editor %d: %v", i, errs[i])
		}
		if err := c.NC.LastError(); err != nil {
			t.Errorf("editor %d asked something its key may not: %v", i, err)
		}
		t.Logf("editor %d started in %v", i, took[i])
	}
}
