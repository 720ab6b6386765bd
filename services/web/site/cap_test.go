package site_test

import (
	"encoding/xml"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// capDoc is a CAP message read back: only what the tests check.
type capDoc struct {
	XMLName    xml.Name `xml:"urn:oasis:names:tc:emergency:cap:1.2 alert"`
	Identifier string   `xml:"identifier"`
	Sender     string   `xml:"sender"`
	Sent       string   `xml:"sent"`
	Status     string   `xml:"status"`
	MsgType    string   `xml:"msgType"`
	Scope      string   `xml:"scope"`
	References string   `xml:"references"`
	Info       []struct {
		Language    string   `xml:"language"`
		Category    []string `xml:"category"`
		Event       string   `xml:"event"`
		Severity    string   `xml:"severity"`
		Headline    string   `xml:"headline"`
		Description string   `xml:"description"`
		Web         string   `xml:"web"`
		Area        struct {
			AreaDesc string `xml:"areaDesc"`
			Geocode  []struct {
				ValueName string `xml:"valueName"`
				Value     string `xml:"value"`
			} `xml:"geocode"`
		} `xml:"area"`
	} `xml:"info"`
}

// ref is how a later message names this one: "sender,identifier,sent".
func (d capDoc) ref() string { return d.Sender + "," + d.Identifier + "," + d.Sent }

func (d capDoc) langs() []string {
	var out []string
	for _, in := range d.Info {
		out = append(out, in.Language)
	}
	return out
}

// parseAlert reads a bulletin file of testdata, as the editor would before publishing.
func parseAlert(t *testing.T, name string) *bulletin.Bulletin {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bulletin.Parse(name, src, bulletin.Options{})
	if err != nil {
		t.Fatalf("testdata/%s: %v", name, err)
	}
	return b
}

// validateCAP checks body against the CAP 1.2 schema with xmllint. It fails, never
// skips, without xmllint: an unvalidated message is exactly what this test prevents.
func validateCAP(t *testing.T, body string) {
	t.Helper()
	if out, err := xmllintCAP(t, body); err != nil {
		t.Fatalf("not valid CAP 1.2: %v\n%s\n%s", err, out, body)
	}
}

func xmllintCAP(t *testing.T, body string) ([]byte, error) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint not found: install libxml2-utils (apt-get install libxml2-utils; .ci/run does) to validate CAP messages")
	}
	path := filepath.Join(t.TempDir(), "message.xml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "CAP-v1.2.xsd"), path).CombinedOutput()
}

// TestCAPSchemaBites: the validation refuses what the messages must avoid, so a pass
// above means something.
func TestCAPSchemaBites(t *testing.T) {
	const valid = `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier>` +
		`<sender>s</sender><sent>SENT</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>` +
		`<info><category>Health</category><event>e</event><urgency>Immediate</urgency><severity>SEVERITY</severity>` +
		`<certainty>Observed</certainty></info></alert>`
	tests := []struct {
		name, sent, severity string
		ok                   bool
	}{
		{"valid", "2020-03-14T10:00:00+01:00", "Severe", true},
		{"utc_as_z", "2020-03-14T09:00:00Z", "Severe", false},
		{"fraction", "2020-03-14T10:00:00.5+01:00", "Severe", false},
		{"bad_severity", "2020-03-14T10:00:00+01:00", "High", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.NewReplacer("SENT", tt.sent, "SEVERITY", tt.severity).Replace(valid)
			if out, err := xmllintCAP(t, body); (err == nil) != tt.ok {
				t.Errorf("xmllint: %v (want valid: %v)\n%s", err, tt.ok, out)
			}
		})
	}
}

// TestCAPAlertLifecycle publishes a bilingual alert, edits and retracts it, and checks
// each message: valid against the schema, its msgType, its languages, and Updates and
// the Cancel referencing every earlier message of the alert.
func TestCAPAlertLifecycle(t *testing.T) {
	e := newEnv(t, testConfig())
	const path = "/cap/alerta-confinament.xml"
	var seen []capDoc
	// next waits for the message after the last one seen and checks it.
	next := func(step, msgType string, langs ...string) capDoc {
		t.Helper()
		var d capDoc
		var r resp
		natstest.WaitFor(t, waitLimit, step, func() bool {
			r = e.get(path, nil)
			if r.status != http.StatusOK {
				return false
			}
			d = capDoc{}
			if err := xml.Unmarshal([]byte(r.body), &d); err != nil {
				t.Fatalf("%s: %v\n%s", step, err, r.body)
			}
			return len(seen) == 0 || d.Identifier != seen[len(seen)-1].Identifier
		})
		validateCAP(t, r.body)
		if ct := r.header.Get("Content-Type"); ct != "application/cap+xml; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", step, ct)
		}
		if d.MsgType != msgType || !slices.Equal(d.langs(), langs) {
			t.Errorf("%s: %s in %v, want %s in %v", step, d.MsgType, d.langs(), msgType, langs)
		}
		if d.Sender != "covid19@paeria.cat" || d.Status != "Actual" || d.Scope != "Public" {
			t.Errorf("%s: sender %q, status %q, scope %q", step, d.Sender, d.Status, d.Scope)
		}
		var want []string
		for _, p := range seen {
			want = append(want, p.ref())
		}
		if got := strings.Fields(d.References); !slices.Equal(got, want) {
			t.Errorf("%s: references\n got %v\nwant %v (every earlier message, the Alert first)", step, got, want)
		}
		for _, in := range d.Info {
			if in.Area.AreaDesc != "Lleida" || len(in.Area.Geocode) != 1 || in.Area.Geocode[0].Value != "25120" {
				t.Errorf("%s: area %+v, want Lleida with INE 25120", step, in.Area)
			}
			if !strings.HasPrefix(in.Web, testBase+"/bulletins/alerta-") || in.Description == "" || strings.Contains(in.Description, "**") {
				t.Errorf("%s: web %q, description %q (want the permalink and plain text)", step, in.Web, in.Description)
			}
		}
		seen = append(seen, d)
		return d
	}

	ca, es := parseAlert(t, "alert-ca.md"), parseAlert(t, "alert-es.md")
	e.publish(ca)
	first := next("publish ca", "Alert", "ca")
	if first.Info[0].Event != "Confinament perimetral" || first.Info[0].Severity != "Severe" {
		t.Errorf("info = %+v", first.Info[0])
	}
	e.publish(es)
	both := next("publish es", "Update", "ca", "es")
	if both.Info[1].Headline != "Confinamiento de Lleida y el Segrià" || !slices.Equal(both.Info[1].Category, []string{"Health", "Safety"}) {
		t.Errorf("es info = %+v", both.Info[1])
	}
	es.Body += "\n\nActualització: horari ampliat."
	e.publish(es)
	next("edit es", "Update", "ca", "es")

	// The message is rebuilt from the bus: a restarted page serves the same bytes.
	before := e.get(path, nil).body
	e.stop()
	e.start(testConfig())
	natstest.WaitFor(t, waitLimit, "the alerts to be rebuilt", func() bool { return e.get(path, nil).status == http.StatusOK })
	if after := e.get(path, nil).body; after != before {
		t.Errorf("after a restart the message changed:\n%s\nwas\n%s", after, before)
	}

	e.retract(ca.ID)
	next("retract ca", "Update", "es")
	e.retract(es.ID)
	next("retract es", "Cancel", "es")

	idx := e.get("/cap.atom", nil)
	if idx.status != http.StatusOK || idx.header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("/cap.atom: %d %s", idx.status, idx.header.Get("Content-Type"))
	}
	var f struct {
		Entries []struct {
			ID    string `xml:"id"`
			Links []struct {
				Type string `xml:"type,attr"`
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(idx.body), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 1 || len(f.Entries[0].Links) != 1 || f.Entries[0].Links[0].Href != testBase+path ||
		f.Entries[0].Links[0].Type != "application/cap+xml" {
		t.Errorf("/cap.atom entries = %+v\n%s", f.Entries, idx.body)
	}
}

// TestCAPOnlyAlerts: a bulletin without alert: makes no message, unknown alerts and
// bad names are 404, and every page links the index from its <head>.
func TestCAPOnlyAlerts(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "avis", Title: "Avís", Body: "Text"})
	e.waitRecord("avis", 1, delivery.Delivered)
	for _, path := range []string{"/cap/avis.xml", "/cap/avis", "/cap/Avis.xml", "/cap/..%2Favis.xml"} {
		if r := e.get(path, nil); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
	idx := e.get("/cap.atom", nil)
	if idx.status != http.StatusOK || strings.Contains(idx.body, "<entry>") {
		t.Errorf("/cap.atom with no alert: %d\n%s", idx.status, idx.body)
	}
	const link = `<link rel="alternate" type="application/atom+xml" title="CAP" href="/cap.atom">`
	for _, path := range []string{"/", "/ca/", "/es/", "/bulletins/avis"} {
		if r := e.get(path, nil); !strings.Contains(r.body, link) {
			t.Errorf("GET %s: no %s in the head", path, link)
		}
	}
}
