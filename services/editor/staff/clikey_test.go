package staff_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/staff"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/bus/bustest"
)

// cliBus is the hub's bus in small: an embedded server giving each key its bus.Grants
// permissions (admin, the editor and the command line's cli key), set up by admin, with
// the editor's service answering on its own key.
func cliBus(t *testing.T) (dial func(t *testing.T, user string) *bus.Conn, svc *staff.Service) {
	t.Helper()
	dir := t.TempDir()
	seed := func(user string) string { return filepath.Join(dir, "credentials", user+".nk") }
	users := map[string]string{}
	for _, u := range []string{bus.UserAdmin, bus.UserEditor, bus.UserCLI} {
		pub, err := bus.EnsureNkey(seed(u))
		if err != nil {
			t.Fatal(err)
		}
		users[u] = pub
	}
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Port: -1, StoreDir: dir, RelaxedSync: true, Users: users})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	dial = func(t *testing.T, user string) *bus.Conn {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := bus.Connect(ctx, bus.ConnConfig{URL: srv.URL(), Name: user, NkeySeedFile: seed(user)})
		if err != nil {
			t.Fatalf("connect as %s: %v", user, err)
		}
		t.Cleanup(conn.NC.Close)
		return conn
	}
	ctx := context.Background()
	if err := bus.Setup(ctx, dial(t, bus.UserAdmin).JS, bus.Topology{}); err != nil {
		t.Fatal(err)
	}
	svc, err = staff.NewService(testConfig(t), dial(t, bus.UserEditor).JS, nil)
	if err != nil {
		t.Fatal(err)
	}
	bctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Background(bctx) }()
	t.Cleanup(func() { stop(); <-done })
	return dial, svc
}

// ask sends a request on the command line's key and reads the editor's answer.
func ask(t *testing.T, cli *bus.Conn, subject string, req any) staff.CLIAnswer {
	t.Helper()
	data, _ := json.Marshal(req)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var msg, err = cli.NC.RequestWithContext(ctx, subject, data)
	for errors.Is(err, context.DeadlineExceeded) == false && err != nil && strings.Contains(err.Error(), "no responders") && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond) // the editor's subscription is on its way
		msg, err = cli.NC.RequestWithContext(ctx, subject, data)
	}
	if err != nil {
		t.Fatalf("request %s: %v", subject, err)
	}
	var ans staff.CLIAnswer
	if err := json.Unmarshal(msg.Data, &ans); err != nil {
		t.Fatal(err)
	}
	return ans
}

// The command line's key (cli.nk) can only ask the editor to act: the editor creates the
// first administrator once, refuses any other, refuses every other request, and records
// each; the key itself is refused every bucket, stream and subject that is not its own.
func TestTheCLIKeyOnlyAsksTheEditor(t *testing.T) {
	dial, svc := cliBus(t)
	cli := dial(t, bus.UserCLI)
	ctx := context.Background()

	ans := ask(t, cli, bus.EditorFirstAdmin, staff.FirstAdminRequest{Name: "Anna", Password: password, OSUser: "ada"})
	if ans.Error != "" || ans.Name != "anna" || !strings.Contains(ans.URI, "secret=") {
		t.Fatalf("first administrator: %+v", ans)
	}
	u, err := svc.Accounts.User(ctx, "anna")
	if err != nil || u.Role != "admin" || u.CreatedBy != staff.CLIActor {
		t.Fatalf("anna: %+v, %v", u, err)
	}
	for _, name := range []string{"anna", "bea"} {
		if ans := ask(t, cli, bus.EditorFirstAdmin, staff.FirstAdminRequest{Name: name, Password: password}); !strings.Contains(ans.Error, "has accounts already") || ans.URI != "" {
			t.Errorf("a second administrator %s: %+v", name, ans)
		}
	}
	if ans := ask(t, cli, bus.EditorRequests+".remove-user", map[string]string{"name": "anna"}); ans.Error == "" {
		t.Errorf("another request answered: %+v", ans)
	}
	if users, _ := svc.Accounts.Users(ctx); len(users) != 1 {
		t.Errorf("accounts: %d, want 1", len(users))
	}

	// The editor answers only to the command line's inbox: a request naming another
	// reply subject (a bulletin's) gets nothing written there.
	if err := cli.NC.PublishRequest(bus.EditorFirstAdmin, "bulletins.intrus", []byte(`{"name":"carla","password":"`+password+`"}`)); err != nil {
		t.Fatal(err)
	}
	_ = cli.NC.Flush()

	admin := dial(t, bus.UserAdmin)
	al, err := audit.New(ctx, admin.JS, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := al.Recent(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		if e.Action == audit.UserAdd {
			got = append(got, e.Target+":"+e.Actor+":"+e.Via+":"+map[bool]string{true: "ok", false: "refused"}[e.OK])
		}
	}
	if want := "bea:(cli key):cli:refused anna:(cli key):cli:refused anna:(cli key):cli:ok"; strings.Join(got, " ") != want {
		t.Errorf("audit: %v; want %s", got, want)
	}
	pub, err := bus.NewBulletins(ctx, admin.JS)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := pub.Latest(ctx, "intrus"); !errors.Is(err, bus.ErrNotFound) {
		t.Errorf("the editor answered into a bulletin: %v", err)
	}

	bustest.CheckRefusals(t, dial, bustest.CLIRefusals())
}
