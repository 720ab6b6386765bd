package tghtml_test

import (
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/tghtml"
)

func TestNoticeSaysWhatHappenedInTheBulletinsLanguage(t *testing.T) {
	const link = "https://covid.paeria.cat/bulletins/m?a=1&b=2"
	tests := []struct {
		kind      tghtml.NoticeKind
		lang      string
		want      []string
		wantNever []string
	}{
		{tghtml.Withdrawn, "ca", []string{"❌ <b>Avís retirat</b>", "ja no és vigent"}, []string{"actualitzat"}},
		{tghtml.Withdrawn, "es", []string{"Aviso retirado"}, []string{"actualizado"}},
		{tghtml.Withdrawn, "en", []string{"Notice withdrawn"}, []string{"updated"}},
		{tghtml.Reposted, "ca", []string{"Avís actualitzat", "Vegeu el missatge nou"}, []string{"retirat", "vigent"}},
		{tghtml.Reposted, "es", []string{"Aviso actualizado", "Vea el mensaje nuevo"}, []string{"retirado", "ya no está vigente"}},
		{tghtml.Reposted, "en", []string{"Notice updated", "See the new message"}, []string{"withdrawn", "no longer applies"}},
		{tghtml.Reposted, "fr", []string{"Avís actualitzat"}, []string{"retirat"}}, // others read Catalan
		{tghtml.Shortened, "ca", []string{"Avís actualitzat", "segueix vigent"}, []string{"retirat", "missatge nou"}},
		{tghtml.Shortened, "es", []string{"Aviso actualizado", "sigue vigente"}, []string{"retirado"}},
		{tghtml.Shortened, "en", []string{"Notice updated", "still applies"}, []string{"withdrawn"}},
	}
	for _, tt := range tests {
		html := tghtml.Notice(tt.kind, tt.lang, "Mascaretes <gratis> & més", link)
		for _, w := range tt.want {
			if !strings.Contains(html, w) {
				t.Errorf("%d/%s: %q lacks %q", tt.kind, tt.lang, html, w)
			}
		}
		for _, w := range tt.wantNever {
			if strings.Contains(strings.ToLower(html), strings.ToLower(w)) {
				t.Errorf("%d/%s: %q says %q", tt.kind, tt.lang, html, w)
			}
		}
		if !strings.Contains(html, "<s>Mascaretes &lt;gratis&gt; &amp; més</s>") || !strings.Contains(html, `href="https://covid.paeria.cat/bulletins/m?a=1&amp;b=2"`) {
			t.Errorf("%d/%s: title or link not escaped: %q", tt.kind, tt.lang, html)
		}
		if _, err := tghtml.Validate(html, 4096); err != nil {
			t.Errorf("%d/%s: Telegram would refuse %q: %v", tt.kind, tt.lang, html, err)
		}
	}
}
