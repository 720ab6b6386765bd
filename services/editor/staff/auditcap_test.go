package staff_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
)

// The audit log's cap is the operator's: raised with the admin key, it outlives the
// next set-up (the hub runs one at each start), and an editor on its own key — which
// may not change the stream — starts and reports the stream's real cap.
func TestTheEditorStartsWithTheOperatorsAuditCap(t *testing.T) {
	dial, _ := cliBus(t)
	ctx := context.Background()
	adm := dial(t, bus.UserAdmin)
	s, err := adm.JS.Stream(ctx, bus.StreamAudit)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.CachedInfo().Config
	const raised = 3 << 30
	cfg.MaxBytes = raised // nats stream edit AUDIT --max-bytes=3GiB
	if _, err := adm.JS.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := bus.Setup(ctx, adm.JS, bus.Topology{}); err != nil { // the hub's next start
		t.Fatal(err)
	}
	var logged bytes.Buffer
	svc, err := staff.NewService(testConfig(t), dial(t, bus.UserEditor).JS, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatalf("the editor refuses the operator's cap: %v", err)
	}
	if _, limit, err := svc.Audit.Usage(ctx); err != nil || limit != raised {
		t.Errorf("the editor sees a cap of %d (%v), want the stream's %d", limit, err, int64(raised))
	}
	if !strings.Contains(logged.String(), "msg=\"audit log bound\"") || !strings.Contains(logged.String(), "max_bytes=3221225472") {
		t.Errorf("the start's log does not report the real cap:\n%s", logged.String())
	}
}
