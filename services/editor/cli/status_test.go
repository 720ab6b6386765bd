package cli_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

var madridDateRE = regexp.MustCompile(`\d{2}/\d{2}/\d{4} \d{2}:\d{2}`)

// status speaks the member's language: Catalan unless --lang or the terminal's locale
// says otherwise; dates as the UI writes them; --json stays the same in every language.
func TestStatusInTheMembersLanguage(t *testing.T) {
	w := newWorld(t)
	w.member("anna", accounts.Publisher)
	f := writeFile(t, t.TempDir(), "idioma.md", "---\ntitle: Idioma\nchannels: [telegram, web]\n---\nText.\n")
	w.editor("", "publish", f)
	dead := &delivery.Record{ID: "idioma", Channel: bulletin.Telegram, Rev: 1, State: delivery.Dead, Attempts: 2, Error: "Bad Request: chat not found"}
	if _, err := w.store.Put(context.Background(), dead, 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"default_catalan", nil, nil, []string{"CANAL", "ESTAT", "per anna el ", "no s'ha pogut lliurar", "pendent", "revisió 1 (publicació)"}},
		{"lang_ca_ES", map[string]string{"LANG": "ca_ES.UTF-8"}, nil, []string{"no s'ha pogut lliurar", "revisió 1"}},
		{"lang_es", map[string]string{"LANG": "es_ES.UTF-8"}, nil, []string{"ESTADO", "revisión 1 (publicación) por anna", "pendiente"}},
		{"lc_all_wins", map[string]string{"LANG": "es_ES.UTF-8", "LC_ALL": "en_GB.UTF-8"}, nil, []string{"STATE", "revision 1 (publish) by anna", "pending"}},
		{"flag_wins", map[string]string{"LC_ALL": "en_GB.UTF-8"}, []string{"--lang", "es"}, []string{"ESTADO"}},
		{"c_locale_is_catalan", map[string]string{"LANG": "C.UTF-8"}, nil, []string{"ESTAT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"LANG", "LC_ALL", "LC_MESSAGES"} {
				delete(w.vars, k)
			}
			for k, v := range tt.env {
				w.vars[k] = v
			}
			r := w.editor("", append([]string{"status", "idioma"}, tt.args...)...)
			if r.err != nil {
				t.Fatalf("status: %v\n%s", r.err, r.errOut)
			}
			for _, want := range tt.want {
				if !strings.Contains(r.out, want) {
					t.Errorf("status lacks %q:\n%s", want, r.out)
				}
			}
			if !madridDateRE.MatchString(r.out) || strings.Contains(r.out, "T0") || strings.Contains(r.out, "UTC") {
				t.Errorf("want a dd/mm/aaaa HH:MM date and no ISO time:\n%s", r.out)
			}
		})
	}
	for _, k := range []string{"LANG", "LC_ALL", "LC_MESSAGES"} {
		delete(w.vars, k)
	}
	if r := w.editor("", "status", "idioma", "--lang", "fr"); r.err == nil || !strings.Contains(r.err.Error(), `--lang: unknown language "fr" (want ca, es or en)`) {
		t.Errorf("--lang fr: %v, want the flag named", r.err)
	}
	ca := w.editor("", "status", "idioma", "--json")
	w.vars["LANG"] = "es_ES.UTF-8"
	es := w.editor("", "status", "idioma", "--json")
	var st delivery.Status
	if ca.out != es.out || json.Unmarshal([]byte(ca.out), &st) != nil || st.Channels[0].State != delivery.Dead {
		t.Errorf("--json differs by language or is not the status:\n%s\n%s", ca.out, es.out)
	}
}

// The editor's problems with a file reach the terminal in its language, placed
// file:line as before; without a locale the command line and the API speak English.
func TestPublishProblemsInTheTerminalsLanguage(t *testing.T) {
	w := newWorld(t)
	w.member("anna", accounts.Publisher)
	bad := writeFile(t, t.TempDir(), "mal.md", "---\ntitle: Mal\nchannels: [fax]\n---\nText.\n")
	for _, tc := range []struct{ lang, want string }{
		{"ca_ES.UTF-8", bad + ":3: "},
		{"", bad + `:3: channels: unknown channel "fax"`},
	} {
		w.vars["LANG"] = tc.lang
		r := w.editor("", "publish", bad)
		if !strings.Contains(r.errOut, tc.want) {
			t.Errorf("LANG=%q: stderr = %q, want %q", tc.lang, r.errOut, tc.want)
		}
		if english := strings.Contains(r.errOut, "unknown channel"); english != (tc.lang == "") {
			t.Errorf("LANG=%q: stderr = %q; English problem words: %v", tc.lang, r.errOut, english)
		}
	}
}
