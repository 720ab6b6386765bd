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

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/cli"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

func TestPublishGoesThroughTheEditorInTheMembersName(t *testing.T) {
	w := newWorld(t)
	w.member("anna", accounts.Publisher)
	dir := t.TempDir()
	good := writeFile(t, dir, "avis.md", "---\ntitle: Avís\n---\nText.\n")
	bad := writeFile(t, dir, "mal.md", "---\ntitle: Mal\nchannels: [fax]\n---\nText.\n")

	r := w.editor("", "publish", good, bad)
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
	if _, _, err := w.pub.Latest(context.Background(), "mal"); !errors.Is(err, bus.ErrNotFound) {
		t.Errorf("the bad file reached the bus: %v", err)
	}
	rev, _, err := w.pub.Latest(context.Background(), "avis")
	if err != nil || rev.Author != "anna" {
		t.Errorf("published by %v (%v); want anna, whom the editor checked", rev, err)
	}
	writeFile(t, dir, "avis.md", "---\ntitle: Avís\n---\nText corregit.\n")
	if r := w.editor("", "publish", good); r.err != nil || r.out != "avis@2\n" {
		t.Errorf("edit: %q, %v; want avis@2", r.out, r.err)
	}
	if r := w.editor("", "publish", good); r.err != nil || r.out != "avis@2 (unchanged)\n" {
		t.Errorf("re-publish unchanged: %q, %v", r.out, r.err)
	}
	if got := w.audited(); len(got) < 3 || got[1] != "edit:avis@2:anna:cli" || got[2] != "publish:avis@1:anna:cli" {
		t.Errorf("audit: %v", got)
	}
}

// A future publish_at is scheduled by the editor, as from the UI; the schedule can be
// listed and cancelled from the command line.
func TestAFutureBulletinIsScheduledAndCanBeCancelled(t *testing.T) {
	w := newWorld(t)
	w.member("anna", accounts.Publisher)
	f := writeFile(t, t.TempDir(), "despres.md", "---\ntitle: Després\npublish_at: 2099-05-01T10:00:00+02:00\n---\nText.\n")
	if r := w.editor("", "publish", f); r.err != nil || r.out != "despres scheduled for 2099-05-01T10:00:00+02:00\n" {
		t.Fatalf("publish: %v %q %q", r.err, r.out, r.errOut)
	}
	if _, _, err := w.pub.Latest(context.Background(), "despres"); !errors.Is(err, bus.ErrNotFound) {
		t.Error("a scheduled bulletin was published early")
	}
	if r := w.editor("", "schedule", "list"); r.err != nil || !strings.Contains(r.out, "despres  2099-05-01T10:00:00+02:00  anna  Després") {
		t.Errorf("schedule list: %v\n%s", r.err, r.out)
	}
	if r := w.editor("", "schedule", "cancel", "despres"); r.err != nil || !strings.Contains(r.out, "cancelled") {
		t.Errorf("schedule cancel: %v %q", r.err, r.out)
	}
	if r := w.editor("", "schedule", "cancel", "despres"); r.err == nil || !strings.Contains(r.err.Error(), "schedule of despres: not found") {
		t.Errorf("second cancel: %v", r.err)
	}
	if got := w.audited(); got[0] != "schedule_cancel:despres:anna:cli" {
		t.Errorf("audit: %v", got)
	}
}

func TestImportIsIdempotentAndShowsProgress(t *testing.T) {
	w := newWorld(t)
	w.member("anna", accounts.Publisher)
	dir := t.TempDir()
	writeFile(t, dir, "a.md", "---\ntitle: A\n---\nA.\n")
	writeFile(t, dir, "b.md", "---\ntitle: B\n---\nB.\n")
	writeFile(t, dir, "notes.txt", "not a bulletin")

	r := w.editor("", "import", dir)
	want := "[1/2] published a@1\n[2/2] published b@1\n2 files: 2 published, 0 unchanged, 0 failed\n"
	if r.err != nil || r.out != want {
		t.Errorf("first import: %v\n%s\nwant\n%s", r.err, r.out, want)
	}
	writeFile(t, dir, "b.md", "---\ntitle: B\n---\nB, corregit.\n")
	r = w.editor("", "import", dir)
	want = "[1/2] unchanged a@1\n[2/2] published b@2\n2 files: 1 published, 1 unchanged, 0 failed\n"
	if r.err != nil || r.out != want {
		t.Errorf("second import: %v\n%s\nwant\n%s", r.err, r.out, want)
	}
	writeFile(t, dir, "c.md", "---\ntitle: C\n---\n")
	r = w.editor("", "import", dir)
	if !errors.Is(r.err, cli.ErrFailed) || !strings.Contains(r.errOut, "[3/3] FAILED "+filepath.Join(dir, "c.md")+":4: body: empty") {
		t.Errorf("import with a bad file: %v, stderr %q", r.err, r.errOut)
	}
}

func TestStatusRetractAndRetry(t *testing.T) {
	w := newWorld(t)
	w.member("anna", accounts.Publisher)
	f := writeFile(t, t.TempDir(), "estat.md", "---\ntitle: Estat\nchannels: [telegram, web]\n---\nText.\n")
	w.editor("", "publish", f)

	r := w.editor("", "status", "estat", "--json")
	var st delivery.Status
	if err := json.Unmarshal([]byte(r.out), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.out)
	}
	if st.Latest.Rev != 1 || len(st.Channels) != 2 || st.Channels[0].State != delivery.Pending {
		t.Errorf("status = %+v", st)
	}
	// A dead delivery on a sandbox, as a worker would record it.
	dead := &delivery.Record{ID: "estat", Channel: bulletin.Telegram, Rev: 1, State: delivery.Dead, Attempts: 1,
		Error: "Bad Request: chat not found", Ref: delivery.Ref{Sandbox: true}}
	if _, err := w.store.Put(context.Background(), dead, 0); err != nil {
		t.Fatal(err)
	}
	r = w.editor("", "status", "estat", "--lang", "en")
	for _, want := range []string{"estat@1 — Estat", "by anna", "telegram  not delivered (given up)", "Bad Request: chat not found [sandbox: nothing reaches the real channel]", "web       pending"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("status table lacks %q:\n%s", want, r.out)
		}
	}
	if r := w.editor("", "retry", "estat", "telegram"); r.err != nil || !strings.Contains(r.out, "sent back to the telegram worker") {
		t.Errorf("retry: %v %q", r.err, r.out)
	}
	rec, _, _ := w.store.Get(context.Background(), "estat", bulletin.Telegram)
	if rec.State != delivery.Pending || rec.By != "anna" {
		t.Errorf("after retry the record is %+v; want pending by anna", rec)
	}
	if r := w.editor("", "retry", "estat", "fax"); r.err == nil || !strings.Contains(r.err.Error(), `unknown channel "fax"`) {
		t.Errorf("retry on unknown channel: %v", r.err)
	}
	if r := w.editor("", "retract", "estat"); r.err != nil || r.out != "estat@2 retracted\n" {
		t.Errorf("retract: %v %q", r.err, r.out)
	}
	if r := w.editor("", "retract", "estat"); r.err == nil || !strings.Contains(r.err.Error(), "retract estat: estat is already retracted (revision 2)") {
		t.Errorf("second retract: %v", r.err)
	}
	if r := w.editor("", "status", "ningu"); r.err == nil || r.err.Error() != "status ningu: no such bulletin" {
		t.Errorf("status of unknown id: %v", r.err)
	}
}

// The identity of what the command line does is the token's: --as is refused, and a
// writer's login may not publish.
func TestIdentityComesFromTheTokenOnly(t *testing.T) {
	w := newWorld(t)
	f := writeFile(t, t.TempDir(), "avis.md", "---\ntitle: Avís\n---\nText.\n")
	if r := w.editor("", "publish", f); !errors.Is(r.err, cli.ErrFailed) || !strings.Contains(r.errOut, "no token: log in first with: editor login NAME") {
		t.Errorf("without a login: %v %q", r.err, r.errOut)
	}
	w.member("bea", accounts.Writer)
	if r := w.editor("", "publish", f, "--as", "paer"); !errors.Is(r.err, cli.ErrUsage) || !strings.Contains(r.errOut, "--as is gone") {
		t.Errorf("--as: %v %q", r.err, r.errOut)
	}
	if r := w.editor("", "publish", f); !errors.Is(r.err, cli.ErrFailed) || !strings.Contains(r.errOut, "you may not publish: that needs the publisher role") {
		t.Errorf("a writer publishes: %v %q", r.err, r.errOut)
	}
	if _, _, err := w.pub.Latest(context.Background(), "avis"); !errors.Is(err, bus.ErrNotFound) {
		t.Error("published without the role")
	}
	if got := w.audited(); got[0] != "denied:avis:bea:cli" && got[0] != "denied::bea:cli" {
		t.Errorf("audit: %v", got)
	}
	if r := w.editor("", "logout"); r.err != nil {
		t.Errorf("logout: %v %s", r.err, r.errOut)
	}
	if _, err := os.Stat(w.tokenFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the token file is still there: %v", err)
	}
	if r := w.editor("", "status", "avis"); r.err == nil || !strings.Contains(r.err.Error(), "no token") {
		t.Errorf("after logout: %v", r.err)
	}
	if r := w.editor(password+"\n000000\n", "login", "bea"); r.err == nil || !strings.Contains(r.err.Error(), "the name, password or code is not right") {
		t.Errorf("login with a wrong code: %v", r.err)
	}
}

// A script's token (editor token create) acts under its own name.
func TestAnAutomationTokenActsUnderItsName(t *testing.T) {
	w := newWorld(t)
	w.account("anna", accounts.Publisher)
	w.member("ada", accounts.Admin)
	r := w.editor("", "token", "create", "importer", "--owner", "anna")
	token := strings.TrimSpace(r.out)
	if r.err != nil || !strings.HasPrefix(token, "pgt_") {
		t.Fatalf("token create: %v %q %q", r.err, r.out, r.errOut)
	}
	w.vars["EDITOR_TOKEN"] = token
	f := writeFile(t, t.TempDir(), "avis.md", "---\ntitle: Avís\n---\nText.\n")
	if r := w.editor("", "publish", f); r.err != nil {
		t.Fatalf("publish: %v %s", r.err, r.errOut)
	}
	if rev, _, err := w.pub.Latest(context.Background(), "avis"); err != nil || rev.Author != "token:importer" {
		t.Errorf("published by %v (%v); want the token's name", rev, err)
	}
	if r := w.editor("", "logout"); r.err == nil || !strings.Contains(r.err.Error(), "automation token") {
		t.Errorf("logout with an automation token: %v", r.err)
	}
	w.vars["EDITOR_TOKEN"] = "pgt_" + strings.Repeat("x", 43)
	if r := w.editor("", "retract", "avis"); r.err == nil || !strings.Contains(r.err.Error(), "unknown, was revoked or has expired") {
		t.Errorf("bad token: %v", r.err)
	}
	w.vars["EDITOR_TOKEN"] = "s3cret"
	if r := w.editor("", "retract", "avis"); r.err == nil || !strings.Contains(r.err.Error(), "EDITOR_TOKEN: not valid (want pgt_") || strings.Contains(r.err.Error(), "s3cret") {
		t.Errorf("malformed token: %v", r.err)
	}
	delete(w.vars, "EDITOR_TOKEN")
	w.vars["EDITOR_API_URL"] = w.base
	if r := w.editor("", "retract", "avis"); r.err == nil || !strings.Contains(r.err.Error(), "EDITOR_API_URL: no longer read (want EDITOR_URL instead)") {
		t.Errorf("old variable: %v", r.err)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown_command", []string{"publicar"}, `editor: unknown command "publicar"`},
		{"status_without_id", []string{"status"}, "usage: editor status [flags] ID"},
		{"retry_one_arg", []string{"retry", "x"}, "usage: editor retry [flags] ID CHANNEL"},
		{"unknown_flag", []string{"status", "x", "--jsn"}, "flag provided but not defined: -jsn"},
		{"schedule_what", []string{"schedule", "move", "x"}, "usage: editor schedule [flags] list|cancel ID"},
		{"serve_argument", []string{"serve", "--port", "80"}, `editor serve: unknown argument "--port"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := cli.Run(context.Background(), cli.Env{Stdout: &out, Stderr: &errOut}, tt.args)
			if !errors.Is(err, cli.ErrUsage) || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("err %v, stderr %q; want usage error containing %q", err, errOut.String(), tt.want)
			}
		})
	}
}

func TestHelpListsCommandsAndSettings(t *testing.T) {
	var out bytes.Buffer
	if err := cli.Run(context.Background(), cli.Env{Stdout: &out, Stderr: &out}, []string{"--help"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"login", "schedule", "EDITOR_URL", "http://127.0.0.1:8080", "EDITOR_TOKEN (or EDITOR_TOKEN_FILE)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("editor --help lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := cli.Run(context.Background(), cli.Env{Stdout: &out, Stderr: &out}, []string{"serve", "--help"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"schedule runner", "EDITOR_ADDR", "EDITOR_TIME_ZONE", "NATS_REPLICAS", "ADMIN_ADDR"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("editor serve --help lacks %q:\n%s", want, out.String())
		}
	}
}

func TestNoEditorGivesAHint(t *testing.T) {
	var out, errOut bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string {
		return map[string]string{"EDITOR_URL": "http://127.0.0.1:1", "EDITOR_TOKEN": "pgt_" + strings.Repeat("x", 43)}[k]
	}}
	err := cli.Run(context.Background(), env, []string{"status", "x"})
	if err == nil || !strings.Contains(err.Error(), "is the editor running at http://127.0.0.1:1?") {
		t.Errorf("err = %v", err)
	}
}

// The README's table of the command line's settings is the one it loads and --help
// prints.
func TestReadmeHoldsTheCommandLineSettings(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	const open, end = "<!-- cli-settings -->\n", "<!-- /cli-settings -->"
	i, j := strings.Index(readme, open), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatal("README.md has no <!-- cli-settings --> ... <!-- /cli-settings --> block")
	}
	var cfg cli.Config
	if got, want := readme[i+len(open):j], cfg.Settings().Markdown(); got != want {
		t.Errorf("README.md's command-line settings are out of date; replace them with:\n%s", want)
	}
}
