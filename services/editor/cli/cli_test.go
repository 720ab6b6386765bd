package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/cli"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

type run struct {
	out, errOut string
	err         error
}

// editor runs one command line against srv, as a staff member would in a terminal.
func editor(t *testing.T, srv *natstest.Server, args ...string) run {
	t.Helper()
	var out, errOut bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errOut, NATSURL: srv.URL(), User: "anna",
		Now: func() time.Time { return time.Date(2020, 4, 1, 12, 0, 0, 0, time.UTC) }}
	err := cli.Run(context.Background(), env, args)
	return run{out.String(), errOut.String(), err}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func setup(t *testing.T) (*natstest.Server, *bus.Bulletins, *delivery.Store) {
	t.Helper()
	srv := natstest.Start(t)
	conn := srv.Connect("test")
	pub, err := bus.NewBulletins(context.Background(), conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	store, err := delivery.NewStore(context.Background(), conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	return srv, pub, store
}

func TestPublishPrintsRevisionsAndPublishesNothingOfABadFile(t *testing.T) {
	srv, pub, _ := setup(t)
	dir := t.TempDir()
	good := writeFile(t, dir, "avis.md", "---\ntitle: Avís\n---\nText.\n")
	bad := writeFile(t, dir, "mal.md", "---\ntitle: Mal\nchannels: [fax]\n---\nText.\n")

	r := editor(t, srv, "publish", good, bad)
	if !errors.Is(r.err, cli.ErrFailed) {
		t.Fatalf("err = %v, want ErrFailed (non-zero exit)", r.err)
	}
	if r.out != "avis@1\n" {
		t.Errorf("stdout = %q, want %q", r.out, "avis@1\n")
	}
	wantErr := bad + `:3: channels: unknown channel "fax" (want telegram, youtube, web)`
	if !strings.Contains(r.errOut, wantErr) || !strings.Contains(r.errOut, "1 of 2 files not published") {
		t.Errorf("stderr = %q, want it to contain %q", r.errOut, wantErr)
	}
	if _, _, err := pub.Latest(context.Background(), "mal"); !errors.Is(err, bus.ErrNotFound) {
		t.Errorf("the bad file reached the bus: %v", err)
	}
	writeFile(t, dir, "avis.md", "---\ntitle: Avís\n---\nText corregit.\n")
	if r := editor(t, srv, "publish", good); r.err != nil || r.out != "avis@2\n" {
		t.Errorf("edit: %q, %v; want avis@2", r.out, r.err)
	}
	if r := editor(t, srv, "publish", good); r.err != nil || r.out != "avis@2 (unchanged)\n" {
		t.Errorf("re-publish unchanged: %q, %v", r.out, r.err)
	}
}

func TestPublishRefusesAFutureScheduleInsteadOfSendingEarly(t *testing.T) {
	srv, pub, _ := setup(t)
	f := writeFile(t, t.TempDir(), "despres.md", "---\ntitle: Després\npublish_at: 2020-05-01T10:00:00+02:00\n---\nText.\n")
	r := editor(t, srv, "publish", f)
	if r.err == nil || !strings.Contains(r.errOut, "publish_at: 2020-05-01T10:00:00+02:00 is in the future") {
		t.Errorf("err %v, stderr %q", r.err, r.errOut)
	}
	if _, _, err := pub.Latest(context.Background(), "despres"); !errors.Is(err, bus.ErrNotFound) {
		t.Error("a scheduled bulletin was published early")
	}
}

func TestImportIsIdempotentAndShowsProgress(t *testing.T) {
	srv, _, _ := setup(t)
	dir := t.TempDir()
	writeFile(t, dir, "a.md", "---\ntitle: A\n---\nA.\n")
	writeFile(t, dir, "b.md", "---\ntitle: B\n---\nB.\n")
	writeFile(t, dir, "notes.txt", "not a bulletin")

	r := editor(t, srv, "import", dir)
	want := "[1/2] published a@1\n[2/2] published b@1\n2 files: 2 published, 0 unchanged, 0 failed\n"
	if r.err != nil || r.out != want {
		t.Errorf("first import: %v\n%s\nwant\n%s", r.err, r.out, want)
	}
	writeFile(t, dir, "b.md", "---\ntitle: B\n---\nB, corregit.\n")
	r = editor(t, srv, "import", dir)
	want = "[1/2] unchanged a@1\n[2/2] published b@2\n2 files: 1 published, 1 unchanged, 0 failed\n"
	if r.err != nil || r.out != want {
		t.Errorf("second import: %v\n%s\nwant\n%s", r.err, r.out, want)
	}
	writeFile(t, dir, "c.md", "---\ntitle: C\n---\n")
	r = editor(t, srv, "import", dir)
	if !errors.Is(r.err, cli.ErrFailed) || !strings.Contains(r.errOut, "[3/3] FAILED "+filepath.Join(dir, "c.md")+":4: body: empty") {
		t.Errorf("import with a bad file: %v, stderr %q", r.err, r.errOut)
	}
}

func TestStatusRetractAndRetry(t *testing.T) {
	srv, _, store := setup(t)
	f := writeFile(t, t.TempDir(), "estat.md", "---\ntitle: Estat\nchannels: [telegram, web]\n---\nText.\n")
	editor(t, srv, "publish", f)

	r := editor(t, srv, "status", "estat", "--json")
	var st delivery.Status
	if err := json.Unmarshal([]byte(r.out), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.out)
	}
	if st.Latest.Rev != 1 || len(st.Channels) != 2 || st.Channels[0].State != delivery.Pending {
		t.Errorf("status = %+v", st)
	}
	// A dead delivery, as a worker would record it.
	dead := &delivery.Record{ID: "estat", Channel: bulletin.Telegram, Rev: 1, State: delivery.Dead, Attempts: 1,
		Error: "Bad Request: chat not found"}
	if _, err := store.Put(context.Background(), dead, 0); err != nil {
		t.Fatal(err)
	}
	r = editor(t, srv, "status", "estat")
	for _, want := range []string{"estat@1 — Estat", "telegram  dead", "Bad Request: chat not found", "web       pending"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("status table lacks %q:\n%s", want, r.out)
		}
	}
	if r := editor(t, srv, "retry", "estat", "telegram"); r.err != nil || !strings.Contains(r.out, "sent back to the telegram worker") {
		t.Errorf("retry: %v %q", r.err, r.out)
	}
	rec, _, _ := store.Get(context.Background(), "estat", bulletin.Telegram)
	if rec.State != delivery.Pending || rec.By != "anna" {
		t.Errorf("after retry the record is %+v; want pending by anna", rec)
	}
	if r := editor(t, srv, "retry", "estat", "fax"); r.err == nil || !strings.Contains(r.err.Error(), `unknown channel "fax"`) {
		t.Errorf("retry on unknown channel: %v", r.err)
	}
	if r := editor(t, srv, "retract", "estat"); r.err != nil || r.out != "estat@2 retracted\n" {
		t.Errorf("retract: %v %q", r.err, r.out)
	}
	if r := editor(t, srv, "retract", "estat"); r.err == nil || !strings.Contains(r.err.Error(), "already retracted") {
		t.Errorf("second retract: %v", r.err)
	}
	if r := editor(t, srv, "status", "ningu"); r.err == nil || r.err.Error() != "status ningu: no such bulletin" {
		t.Errorf("status of unknown id: %v", r.err)
	}
}

func TestUsageErrors(t *testing.T) {
	srv := natstest.Start(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown_command", []string{"publicar"}, `editor: unknown command "publicar"`},
		{"status_without_id", []string{"status"}, "usage: editor status [flags] ID"},
		{"retry_one_arg", []string{"retry", "x"}, "usage: editor retry [flags] ID CHANNEL"},
		{"unknown_flag", []string{"status", "x", "--jsn"}, "flag provided but not defined: -jsn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := editor(t, srv, tt.args...)
			if !errors.Is(r.err, cli.ErrUsage) || !strings.Contains(r.errOut, tt.want) {
				t.Errorf("err %v, stderr %q; want usage error containing %q", r.err, r.errOut, tt.want)
			}
		})
	}
}

func TestNoServerGivesAHint(t *testing.T) {
	var out, errOut bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errOut, NATSURL: "nats://127.0.0.1:1"}
	err := cli.Run(context.Background(), env, []string{"status", "x"})
	if err == nil || !strings.Contains(err.Error(), "is the hub running?") {
		t.Errorf("err = %v", err)
	}
}
