package staff_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

func composeForm(action string, kv ...string) url.Values {
	f := url.Values{"action": {action}, "lang": {"ca"}, "channels": {"telegram", "web"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

func (e *env) waitState(id, channel string, state delivery.State) {
	e.t.Helper()
	natstest.WaitFor(e.t, 10*time.Second, id+" "+string(state)+" on "+channel, func() bool {
		st, err := e.svc.Desk.Status(context.Background(), id)
		if err != nil {
			return false
		}
		for _, c := range st.Channels {
			if c.Channel == channel {
				return c.State == state
			}
		}
		return false
	})
}

func TestPublishEditRetractAndRetryFromTheUI(t *testing.T) {
	e := newEnv(t)
	chans := e.channels("telegram", "web")
	b := e.loggedIn("anna", accounts.Publisher)

	r := b.post("/compose", composeForm("publish", "new", "1", "id", "biblioteques", "title", "Biblioteques tancades", "body", "Les **biblioteques** tanquen."))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/bulletins/biblioteques?done=published" {
		t.Fatalf("publish: %d %s", r.status, r.header.Get("Location"))
	}
	e.waitState("biblioteques", "telegram", delivery.Delivered)
	e.waitState("biblioteques", "web", delivery.Delivered)
	list := b.get("/")
	for _, want := range []string{"Biblioteques tancades", `data-cell="biblioteques.telegram"`, "telegram: <b>delivered</b>", "web: <b>delivered</b>"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	// A second "new" bulletin with the same id is refused, with the text kept.
	r = b.post("/compose", composeForm("publish", "new", "1", "id", "biblioteques", "title", "Una altra", "body", "Un altre text."))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is already published") || !strings.Contains(r.body, "Un altre text.") {
		t.Errorf("duplicate id: %d", r.status)
	}

	// Edit: the form comes back filled; publishing makes revision 2 on both channels.
	edit := b.get("/bulletins/biblioteques/edit")
	if !strings.Contains(edit.body, "Les **biblioteques** tanquen.") || !strings.Contains(edit.body, `name="base_rev" value="1"`) {
		t.Errorf("edit form not filled: %d", edit.status)
	}
	r = b.post("/compose", composeForm("publish", "base_rev", "1", "id", "biblioteques", "title", "Biblioteques tancades", "body", "Les **biblioteques** tanquen fins a nou avís."))
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	natstest.WaitFor(t, 10*time.Second, "revision 2 on telegram", func() bool { return chans["telegram"].showing("biblioteques") == "biblioteques@2" })
	// Someone else's stale edit is not published over revision 2: the conflict page
	// shows both (staff/conflict_test.go).
	r = b.post("/compose", composeForm("publish", "base_rev", "1", "id", "biblioteques", "title", "Vell", "body", "Text vell."))
	if r.status != http.StatusConflict || !strings.Contains(r.body, "changed while you were editing it") || !strings.Contains(r.body, "Text vell.") {
		t.Errorf("stale edit: %d", r.status)
	}
	detail := b.get("/bulletins/biblioteques")
	for _, want := range []string{"Revision 2: edit by anna", "<ins>Les **biblioteques** tanquen fins a nou avís.</ins>", "<del>Les **biblioteques** tanquen.</del>"} {
		if !strings.Contains(detail.body, want) {
			t.Errorf("history lacks %q", want)
		}
	}

	// A channel that refuses a bulletin shows it dead with the reason; retry re-sends.
	chans["telegram"].setRefuse("mercats", true)
	b.post("/compose", composeForm("publish", "new", "1", "id", "mercats", "title", "Mercats", "body", "Els mercats obren."))
	e.waitState("mercats", "telegram", delivery.Dead)
	if d := b.get("/bulletins/mercats"); !strings.Contains(d.body, "Bad Request: chat not found") || !strings.Contains(d.body, ">Retry</button>") {
		t.Errorf("dead delivery not shown with its reason and a retry button")
	}
	chans["telegram"].setRefuse("mercats", false)
	if r := b.post("/bulletins/mercats/retry", url.Values{"channel": {"telegram"}}); r.status != http.StatusSeeOther {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	e.waitState("mercats", "telegram", delivery.Delivered)
	if r := b.post("/bulletins/mercats/retry", url.Values{"channel": {"telegram"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "only a dead delivery can be retried") {
		t.Errorf("retry of a delivered one: %d", r.status)
	}

	// Retract: both channels remove it.
	if r := b.post("/bulletins/biblioteques/retract", nil); r.status != http.StatusSeeOther {
		t.Fatalf("retract: %d", r.status)
	}
	e.waitState("biblioteques", "telegram", delivery.Retracted)
	e.waitState("biblioteques", "web", delivery.Retracted)
	if chans["web"].showing("biblioteques") != "" {
		t.Error("the web channel still shows the retracted bulletin")
	}
	for action, n := range map[string]int{audit.Publish: 2, audit.Edit: 1, audit.Retract: 1, audit.Retry: 2} {
		if got := e.audited(action); len(got) != n {
			t.Errorf("audit %s: %d events, want %d: %+v", action, len(got), n, got)
		}
	}
	if a := b.get("/audit"); !strings.Contains(a.body, "biblioteques@3") || !strings.Contains(a.body, "retract") {
		t.Error("the audit page does not show the retraction")
	}
}

func TestPreviewShowsTheWebPageAndTelegramPartsAndFieldErrors(t *testing.T) {
	e := newEnv(t)
	b := e.loggedIn("walter", accounts.Writer)
	long := strings.Repeat("Paràgraf amb prou text per omplir un missatge de Telegram. ", 40) + "\n\n"
	r := b.post("/preview", composeForm("", "new", "1", "id", "llarg", "title", "Llarg", "body",
		"Hola <script>alert(1)</script> **món**\n\n"+strings.Repeat(long, 3)))
	if r.status != http.StatusOK {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	var p struct {
		Web      string   `json:"web"`
		Telegram []string `json:"telegram"`
		Problems []struct{ Field, Message string }
	}
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Web, "<strong>món</strong>") || !strings.Contains(p.Web, "&lt;script&gt;") || strings.Contains(p.Web, "<script>") {
		t.Errorf("web preview: %s", p.Web[:100])
	}
	if len(p.Telegram) < 2 || !strings.HasPrefix(p.Telegram[0], "<b>Llarg</b>") || !strings.Contains(p.Telegram[len(p.Telegram)-1], "https://covid.paeria.test/bulletins/llarg") {
		t.Errorf("telegram preview: %d parts", len(p.Telegram))
	}
	for i, m := range p.Telegram {
		if strings.Contains(m, "<script>") || len([]rune(m)) > 4096 {
			t.Errorf("telegram part %d: unsafe or too long (%d)", i+1, len([]rune(m)))
		}
	}
	if len(p.Problems) != 0 {
		t.Errorf("problems: %+v", p.Problems)
	}

	// The same checks as at publish, placed at their fields.
	r = b.post("/preview", composeForm("", "new", "1", "id", "Mal Id", "title", "", "body", ""))
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, pr := range p.Problems {
		fields[pr.Field] = pr.Message
	}
	if !strings.Contains(fields["id"], "not a valid id") || fields["title"] != "empty" || !strings.Contains(fields["body"], "empty") {
		t.Errorf("field problems: %+v", p.Problems)
	}
	r = b.post("/compose", composeForm("preview", "new", "1", "id", "roda", "title", "Roda de premsa", "body", "El paer en cap.",
		"channels", "youtube", "live_start", "2020-03-14T08:00"))
	i := strings.Index(r.body, `data-for="live_start">`)
	if i < 0 || !strings.Contains(r.body[i:i+200], "is not in the future") {
		t.Errorf("a live start in the past is not flagged at its field: %s", r.body[i:i+200])
	}
}

func TestTranslationStartsFromTheOriginalInTheOtherLanguage(t *testing.T) {
	e := newEnv(t)
	b := e.loggedIn("anna", accounts.Publisher)
	b.post("/compose", composeForm("publish", "new", "1", "id", "confinament", "title", "Confinament", "body", "Quedeu-vos a casa."))
	r := b.get("/compose?translate=confinament")
	if !strings.Contains(r.body, `name="group" id="f-group" value="confinament"`) || !strings.Contains(r.body, `<option value="es" selected>`) {
		t.Errorf("translation form: %d", r.status)
	}
}
