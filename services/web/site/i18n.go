package site

import (
	"strconv"
	"strings"
)

// Languages the page's own words come in, in the order the switch lists them.
var uiLangs = []string{"ca", "es"}

// defaultLang is the council's own language, for readers who ask for neither.
const defaultLang = "ca"

// words is the page's text in one language.
type words struct {
	Lang, Name                       string
	Site, Council, Skip, LangSwitch  string
	Published, Updated, Urgent, More string
	Live, Starts, Watch              string
	Newer, Older, PageOf             string
	Empty, AlsoIn, Feeds             string
	GoneTitle, GoneText, Back        string
	NotFound, NotFoundText, Starting string
	BadPage, Refreshed, Failed       string
	// Sharing, following, excerpts and search.
	Locale, Description                string
	Follow, FollowTelegram, FollowYT   string
	LivePending                        string
	TableOf, OneRow, Rows, MoreItems   string
	Search, Words, Month, AnyMonth, Go string
	Results, NoResults, BadSearch      string
	Tags                               string // before an article's tag links
	Months                             [12]string
}

var dictionary = map[string]*words{
	"ca": {
		Lang: "ca", Name: "Català",
		Site: "Informació COVID-19", Council: "Paeria de Lleida", Skip: "Salta al contingut",
		LangSwitch: "Llengua", Published: "Publicat", Updated: "Actualitzat", Urgent: "Urgent",
		More: "Llegeix-lo sencer", Live: "Emissió en directe", Starts: "Comença",
		Watch: "Mira-la a YouTube", Newer: "Més recents", Older: "Més antics",
		PageOf: "Pàgina %d de %d", Empty: "Encara no hi ha cap comunicat.",
		AlsoIn: "També en", Feeds: "Subscriu-t'hi",
		GoneTitle: "Aquest comunicat s'ha retirat",
		GoneText:  "La Paeria ha retirat aquest comunicat. Consulteu la informació vigent a la portada.",
		Back:      "Torna a la portada", NotFound: "No s'ha trobat la pàgina",
		NotFoundText:   "Aquesta adreça no correspon a cap comunicat.",
		Starting:       "La pàgina s'està posant al dia. Torneu-ho a provar d'aquí a un moment.",
		BadPage:        "El número de pàgina no és vàlid.",
		Refreshed:      "La pàgina s'ha actualitzat.",
		Failed:         "No s'ha pogut mostrar aquesta pàgina. Torneu-ho a provar d'aquí a un moment.",
		Locale:         "ca_ES",
		Description:    "Comunicats de la Paeria de Lleida sobre la COVID-19: mesures, serveis, horaris i rodes de premsa.",
		Follow:         "Segueix-nos",
		FollowTelegram: "Rep els comunicats al mòbil al canal de Telegram «La Paeria explica»",
		FollowYT:       "Mira les rodes de premsa en directe al canal de YouTube de la Paeria",
		LivePending:    "l'enllaç a l'emissió apareixerà aquí",
		TableOf:        "Taula", OneRow: "1 fila", Rows: "%d files", MoreItems: "i %d més",
		Search: "Cerca", Words: "Paraules", Month: "Mes", AnyMonth: "Tots els mesos", Go: "Cerca",
		Tags:    "Etiquetes",
		Results: "%d resultats", NoResults: "Cap comunicat no coincideix amb la cerca.",
		BadSearch: "La cerca no és vàlida: el mes ha de ser de la llista i les paraules, com a molt 100 caràcters.",
		Months: [12]string{"gener", "febrer", "març", "abril", "maig", "juny", "juliol", "agost",
			"setembre", "octubre", "novembre", "desembre"},
	},
	"es": {
		Lang: "es", Name: "Castellano",
		Site: "Información COVID-19", Council: "Paeria de Lleida", Skip: "Salta al contenido",
		LangSwitch: "Idioma", Published: "Publicado", Updated: "Actualizado", Urgent: "Urgente",
		More: "Leer completo", Live: "Emisión en directo", Starts: "Empieza",
		Watch: "Mírala en YouTube", Newer: "Más recientes", Older: "Más antiguos",
		PageOf: "Página %d de %d", Empty: "Todavía no hay ningún comunicado.",
		AlsoIn: "También en", Feeds: "Suscríbete",
		GoneTitle: "Este comunicado se ha retirado",
		GoneText:  "La Paeria ha retirado este comunicado. Consulta la información vigente en la portada.",
		Back:      "Volver a la portada", NotFound: "No se ha encontrado la página",
		NotFoundText:   "Esta dirección no corresponde a ningún comunicado.",
		Starting:       "La página se está poniendo al día. Vuelve a intentarlo en un momento.",
		BadPage:        "El número de página no es válido.",
		Refreshed:      "La página se ha actualizado.",
		Failed:         "No se ha podido mostrar esta página. Vuelve a intentarlo en un momento.",
		Locale:         "es_ES",
		Description:    "Comunicados de la Paeria de Lleida sobre la COVID-19: medidas, servicios, horarios y ruedas de prensa.",
		Follow:         "Síguenos",
		FollowTelegram: "Recibe los comunicados en el móvil en el canal de Telegram «La Paeria explica»",
		FollowYT:       "Mira las ruedas de prensa en directo en el canal de YouTube de la Paeria",
		LivePending:    "el enlace a la emisión aparecerá aquí",
		TableOf:        "Tabla", OneRow: "1 fila", Rows: "%d filas", MoreItems: "y %d más",
		Search: "Búsqueda", Words: "Palabras", Month: "Mes", AnyMonth: "Todos los meses", Go: "Buscar",
		Tags:    "Etiquetas",
		Results: "%d resultados", NoResults: "Ningún comunicado coincide con la búsqueda.",
		BadSearch: "La búsqueda no es válida: el mes debe ser de la lista y las palabras, como mucho 100 caracteres.",
		Months: [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
			"septiembre", "octubre", "noviembre", "diciembre"},
	},
}

// langNames names bulletin languages in the translation links.
var langNames = map[string]string{"ca": "Català", "es": "Castellano", "en": "English", "fr": "Français", "oc": "Aranés"}

func langName(code string) string {
	if n, ok := langNames[code]; ok {
		return n
	}
	return code
}

// negotiate picks the page language from an Accept-Language header: the first of ca and
// es by the reader's preference (q values), the default when the reader names neither.
func negotiate(header string) string {
	best, bestQ := defaultLang, 0.0
	for part := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if _, ok := dictionary[primary]; ok && q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}
