package staff_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// badIDs are ids no bulletin can have: wildcards and a separator that would address
// other subjects, a path, nothing, too long, not ASCII.
var badIDs = []string{"*", ">", "a.b", "../x", "", strings.Repeat("a", 300), "confinamént"}

// busMessages is how many messages the bulletins stream holds: revisions and re-drives.
func (e *env) busMessages() uint64 {
	e.t.Helper()
	s, err := e.conn.JS.Stream(context.Background(), bus.StreamBulletins)
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return info.State.Msgs
}

func TestEveryEditorEntryRefusesABadIDAndPublishesNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.token("robot", accounts.Admin)
	if st, body := e.apiCall(tok, "POST", "/api/bulletins", "text/markdown", avis); st != http.StatusCreated {
		t.Fatalf("publish: %d %v", st, body)
	}
	before := e.busMessages()

	d, a := e.svc.Desk, desk.Actor{Name: "anna", Role: accounts.Admin, Via: "test"}
	deskOps := []struct {
		name string
		call func(id string) error
	}{
		{"Status", func(id string) error { _, err := d.Status(ctx, id); return err }},
		{"History", func(id string) error { _, err := d.History(ctx, id); return err }},
		{"Latest", func(id string) error { _, err := d.Latest(ctx, id); return err }},
		{"Deliveries", func(id string) error { _, err := d.Deliveries(ctx, id, bulletin.Web); return err }},
		{"Scheduled", func(id string) error { _, err := d.Scheduled(ctx, id); return err }},
		{"CancelSchedule", func(id string) error { return d.CancelSchedule(ctx, a, id) }},
		{"Retract", func(id string) error { _, err := d.Retract(ctx, a, id); return err }},
		{"Retry", func(id string) error { return d.Retry(ctx, a, id, bulletin.Telegram) }},
		{"Draft", func(id string) error { _, err := d.Draft(ctx, id); return err }},
		{"DeleteDraft", func(id string) error { return d.DeleteDraft(ctx, a, id) }},
	}
	for _, op := range deskOps {
		for _, id := range badIDs {
			if err := op.call(id); !errors.Is(err, bulletin.ErrBadID) || !strings.Contains(err.Error(), bulletin.IDRule) {
				t.Errorf("desk %s(%.20q) = %v; want an error naming the rule", op.name, id, err)
			}
		}
	}
	for _, id := range badIDs {
		var inv *desk.InvalidError
		if err := d.SaveDraft(ctx, a, desk.Fields{ID: id, Title: "T", Body: "B"}, 0); !errors.As(err, &inv) || !strings.Contains(err.Error(), bulletin.IDRule) {
			t.Errorf("desk SaveDraft(%.20q) = %v; want the id problem naming the rule", id, err)
		}
	}

	apiRoutes := []struct{ method, path string }{
		{"GET", "/api/bulletins/%s"},
		{"GET", "/api/bulletins/%s/history"},
		{"POST", "/api/bulletins/%s/retract"},
		{"POST", "/api/bulletins/%s/retry/telegram"},
		{"DELETE", "/api/schedules/%s"},
	}
	for _, rt := range apiRoutes {
		for _, id := range badIDs {
			path := strings.Replace(rt.path, "%s", url.PathEscape(id), 1)
			st, body := e.apiCall(tok, rt.method, path, "", "")
			if id == "" { // "//" is not a route: the mux answers; it must not be a success
				if st < 300 {
					t.Errorf("%s %s: %d, want no success", rt.method, path, st)
				}
				continue
			}
			msg, _ := body["error"].(map[string]any)["message"].(string)
			if st != http.StatusBadRequest || !strings.Contains(msg, bulletin.IDRule) {
				t.Errorf("%s %.40s: %d %v; want 400 naming the rule", rt.method, path, st, body)
			}
		}
	}

	b := e.loggedIn("berta", accounts.Admin)
	uiRoutes := []struct{ method, path string }{
		{"GET", "/bulletins/%s"},
		{"GET", "/bulletins/%s/edit"},
		{"POST", "/bulletins/%s/retract"},
		{"POST", "/bulletins/%s/retry"},
		{"POST", "/bulletins/%s/cancel-schedule"},
		{"GET", "/drafts/%s"},
		{"POST", "/drafts/%s/delete"},
	}
	for _, rt := range uiRoutes {
		for _, id := range badIDs {
			path := strings.Replace(rt.path, "%s", url.PathEscape(id), 1)
			r := b.do(rt.method, path, url.Values{"channel": {"telegram"}}, nil)
			if id == "" {
				if r.status < 300 {
					t.Errorf("%s %s: %d, want no success", rt.method, path, r.status)
				}
				continue
			}
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, bulletin.IDRule) {
				t.Errorf("%s %.40s: %d; want 400 naming the rule", rt.method, path, r.status)
			}
		}
	}

	if after := e.busMessages(); after != before {
		t.Errorf("the bulletins stream went from %d to %d messages: a bad id reached the bus", before, after)
	}
	for _, action := range []string{audit.Retract, audit.Retry, audit.CancelSchedule, audit.DeleteDraft, audit.Denied} {
		if got := e.audited(action); len(got) != 0 {
			t.Errorf("audit log has %s events %v; a bad id should be refused before anything is recorded", action, got)
		}
	}
}
