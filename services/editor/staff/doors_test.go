package staff_test

import (
	"bytes"
	"context"
	"errors"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/cli"
	"github.com/paeria/pregoner/shared/bus"
)

// A live announcement of the press conference, with the broadcast title it is given.
type announcement struct{ liveTitle string }

var liveStart = t0.Add(48 * time.Hour) // after the test clock's now: YouTube would take it

// madrid is the editor's default zone, the one the UI's datetime fields are typed in.
var madrid, _ = time.LoadLocation("Europe/Madrid")

func (a announcement) markdown() string {
	return "---\nid: roda\ntitle: Roda de premsa\nchannels: [telegram, youtube, web]\nlive:\n  start: " +
		liveStart.Format(time.RFC3339) + "\n  title: " + a.liveTitle + "\n---\nEl paer en cap compareix a les 12 h.\n"
}

func (a announcement) form() map[string]string {
	return map[string]string{"id": "roda", "title": "Roda de premsa", "live_start": liveStart.In(madrid).Format("2006-01-02T15:04"),
		"live_title": a.liveTitle, "body": "El paer en cap compareix a les 12 h."}
}

// door is one way into the editor, as anna, a publisher: it publishes a and returns
// what anna is shown.
type door struct {
	name    string
	publish func(e *env, secret string, a announcement) string
}

var doors = []door{
	{"ui", func(e *env, secret string, a announcement) string {
		b := e.browser()
		if r := b.login("anna", password, e.code(secret)); r.status != http.StatusSeeOther {
			e.t.Fatalf("login: %d", r.status)
		}
		kv := []string{"channels", "youtube"}
		for k, v := range a.form() {
			kv = append(kv, k, v)
		}
		f := composeForm("publish", kv...)
		f["channels"] = []string{"telegram", "youtube", "web"}
		return html.UnescapeString(b.post("/compose", f).body)
	}},
	{"api", func(e *env, secret string, a announcement) string {
		st, body := e.apiCall("", "POST", "/api/login", "application/json",
			`{"name": "anna", "password": "`+password+`", "code": "`+e.code(secret)+`"}`)
		if st != http.StatusCreated {
			e.t.Fatalf("API login: %d %v", st, body)
		}
		_, body = e.apiCall(body["token"].(string), "POST", "/api/bulletins", "text/markdown", a.markdown())
		var out strings.Builder
		for _, p := range problemsOf(body) {
			out.WriteString(p["field"].(string) + ": " + p["message"].(string) + "\n")
		}
		return out.String()
	}},
	{"cli", func(e *env, secret string, a announcement) string {
		dir := e.t.TempDir()
		file := filepath.Join(dir, "roda.md")
		if err := os.WriteFile(file, []byte(a.markdown()), 0o644); err != nil {
			e.t.Fatal(err)
		}
		var out bytes.Buffer
		env := cli.Env{Stdout: &out, Stderr: &out, HTTP: e.srv.Client(), TokenFile: filepath.Join(dir, "token"),
			Stdin:  strings.NewReader(password + "\n" + e.code(secret) + "\n"),
			Getenv: func(k string) string { return map[string]string{"EDITOR_URL": e.srv.URL}[k] }}
		if err := cli.Run(context.Background(), env, []string{"login", "anna"}); err != nil {
			e.t.Fatalf("editor login: %v\n%s", err, out.String())
		}
		_ = cli.Run(context.Background(), env, []string{"publish", file})
		return out.String()
	}},
}

// The same bulletin gets the same answer through the UI, the API and the command line:
// the same channel rule refuses a 121-character broadcast title in the same words and
// publishes nothing; fixed, it is published with the same audit event, naming anna,
// whom the session or the token stands for.
func TestEveryDoorGivesTheSameAnswer(t *testing.T) {
	tooLong := strings.Repeat("Roda de premsa del paer en cap. ", 4)[:121]
	const refusal = "121 characters is over YouTube's limit of 100 for a broadcast title"
	events := map[string]audit.Event{}
	for _, d := range doors {
		t.Run(d.name, func(t *testing.T) {
			e := newEnv(t)
			secret := e.user("anna", accounts.Publisher)
			if shown := d.publish(e, secret, announcement{tooLong}); !strings.Contains(shown, refusal) {
				t.Errorf("%s: the refusal lacks %q:\n%s", d.name, refusal, shown)
			}
			if _, _, err := e.pub.Latest(context.Background(), "roda"); !errors.Is(err, bus.ErrNotFound) {
				t.Fatalf("%s published a bulletin YouTube would refuse: %v", d.name, err)
			}
			e.clock.Add(30 * time.Second) // a fresh TOTP code for the second login
			d.publish(e, secret, announcement{"Roda de premsa del paer en cap"})
			got := e.audited(audit.Publish)
			if len(got) != 1 {
				t.Fatalf("%s: audited publishes %+v, want one", d.name, got)
			}
			if got[0].Via != d.name {
				t.Errorf("%s: audited via %q", d.name, got[0].Via)
			}
			ev := got[0]
			ev.At, ev.Via, ev.Remote = time.Time{}, "", ""
			events[d.name] = ev
		})
	}
	want := audit.Event{Actor: "anna", Action: audit.Publish, Target: "roda@1", OK: true, Detail: "Roda de premsa"}
	for name, ev := range events {
		if ev != want {
			t.Errorf("%s audited %+v, want %+v", name, ev, want)
		}
	}
	if len(events) != len(doors) {
		t.Errorf("audit events from %d doors, want %d", len(events), len(doors))
	}
}
