package i18n

// limitsWords answer a request the editor refuses before any page sees it: a body or
// headers larger than it takes.
var limitsWords = map[Lang]map[string]string{
	Catalan: {
		"limits.tooLarge": "Massa gran: l'editor accepta peticions de %s com a màxim i no n'ha desat res. Escurceu el text i torneu-lo a enviar.",
	},
	Spanish: {
		"limits.tooLarge": "Demasiado grande: el editor acepta peticiones de %s como máximo y no ha guardado nada. Acorte el texto y vuelva a enviarlo.",
	},
	English: {
		"limits.tooLarge": "Too large: the editor takes requests of at most %s and saved nothing of this one. Shorten the text and send it again.",
	},
}
