package tghtml

import "fmt"

// NoticeKind is why a post stops showing its bulletin. Telegram lets a bot delete a
// channel post only for 48 hours; an older one is edited to a notice instead, and the
// notice must say what really happened to the bulletin: citizens who read "withdrawn"
// under a bulletin that was only corrected would ignore a notice that still applies.
type NoticeKind int

const (
	// Withdrawn: the bulletin was retracted (or left this chat).
	Withdrawn NoticeKind = iota
	// Reposted: the bulletin was posted afresh below, e.g. because its first image was
	// added or removed (a text message cannot become a photo, nor a photo text).
	Reposted
	// Shortened: the bulletin got shorter and this part is no longer part of it.
	Shortened
)

// noticeWords is how one kind of notice reads in one language.
type noticeWords struct {
	mark, head, body, more string
}

// noticeLanguages has the languages the council writes in; others read Catalan, as the
// permalink's label does.
var noticeLanguages = map[string]map[NoticeKind]noticeWords{
	"ca": {
		Withdrawn: {"❌", "Avís retirat", "Aquest avís ja no és vigent.", "Informació actualitzada:"},
		Reposted:  {"🔄", "Avís actualitzat", "Vegeu el missatge nou, més avall.", "Informació actualitzada:"},
		Shortened: {"🔄", "Avís actualitzat", "Aquest missatge ja no en forma part; la resta de l'avís segueix vigent.", "Informació actualitzada:"},
	},
	"es": {
		Withdrawn: {"❌", "Aviso retirado", "Este aviso ya no está vigente.", "Información actualizada:"},
		Reposted:  {"🔄", "Aviso actualizado", "Vea el mensaje nuevo, más abajo.", "Información actualizada:"},
		Shortened: {"🔄", "Aviso actualizado", "Este mensaje ya no forma parte de él; el resto del aviso sigue vigente.", "Información actualizada:"},
	},
	"en": {
		Withdrawn: {"❌", "Notice withdrawn", "This notice no longer applies.", "Up-to-date information:"},
		Reposted:  {"🔄", "Notice updated", "See the new message below.", "Up-to-date information:"},
		Shortened: {"🔄", "Notice updated", "This message is no longer part of it; the rest of the notice still applies.", "Up-to-date information:"},
	},
}

// Notice is what an old post shows instead of a part of the bulletin titled title, in
// lang: why, the title struck through, and link (the web page to read instead).
func Notice(kind NoticeKind, lang, title, link string) string {
	words, ok := noticeLanguages[lang]
	if !ok {
		words = noticeLanguages["ca"]
	}
	w, ok := words[kind]
	if !ok {
		w = words[Withdrawn]
	}
	l := Escape(link)
	return fmt.Sprintf("%s <b>%s</b>\n\n<s>%s</s>\n\n%s %s <a href=\"%s\">%s</a>",
		w.mark, w.head, Escape(title), w.body, w.more, l, l)
}
