package tghtml

import (
	"fmt"
	"time"
)

// councilZone is Lleida's time zone: a citizen reads the start of a broadcast in the
// time of the town hall, whatever offset the bulletin's file gave.
const councilZone = "Europe/Madrid"

// liveWords is how a live announcement's start reads in one language.
type liveWords struct {
	label    string // what the line announces
	watch    string // introduces the broadcast's link
	at       string // joins the date and the time
	weekdays [7]string
}

// liveLanguages has the languages the council writes in; others read Catalan, as the
// permalink's label does.
var liveLanguages = map[string]liveWords{
	"ca": {"Emissió en directe:", "Enllaç a YouTube:", "a les", [7]string{"diumenge", "dilluns", "dimarts", "dimecres", "dijous", "divendres", "dissabte"}},
	"es": {"Emisión en directo:", "Enlace en YouTube:", "a las", [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}},
	"en": {"Live broadcast:", "Watch on YouTube:", "at", [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}},
}

// liveLine is the line under the title of a live announcement, e.g. "🔴 Emissió en
// directe: dilluns 16/03/2020 a les 12:00", start being already in the council's zone.
func liveLine(lang string, start time.Time) string {
	w, ok := liveLanguages[lang]
	if !ok {
		w = liveLanguages["ca"]
	}
	return fmt.Sprintf("🔴 <b>%s</b> %s", w.label, LiveStart(lang, start))
}

// LiveStart writes start as a reader of lang says it, in start's own zone: "dilluns
// 16/03/2020 a les 12:00", "lunes 16/03/2020 a las 12:00".
func LiveStart(lang string, start time.Time) string {
	w, ok := liveLanguages[lang]
	if !ok {
		w = liveLanguages["ca"]
	}
	return fmt.Sprintf("%s %s %s %s", w.weekdays[start.Weekday()], start.Format("02/01/2006"), w.at, start.Format("15:04"))
}

// watchLabel introduces a live announcement's broadcast link in lang.
func watchLabel(lang string) string {
	w, ok := liveLanguages[lang]
	if !ok {
		w = liveLanguages["ca"]
	}
	return w.watch
}
