package i18n

// limitsWords answer a request the editor refuses before any page sees it: a body or
// headers larger than it takes, a form posted from another site.
var limitsWords = map[Lang]map[string]string{
	Catalan: {
		"limits.tooLarge":  "Massa gran: l'editor accepta peticions de %s com a màxim i no n'ha desat res. Escurceu el text i torneu-lo a enviar.",
		"limits.crossSite": "Refusat: aquesta petició venia d'un altre lloc web. Si heu premut un botó de l'editor, torneu a carregar la pàgina i proveu-ho de nou.",
	},
	Spanish: {
		"limits.tooLarge":  "Demasiado grande: el editor acepta peticiones de %s como máximo y no ha guardado nada. Acorte el texto y vuelva a enviarlo.",
		"limits.crossSite": "Rechazado: esta petición venía de otro sitio web. Si habéis pulsado un botón del editor, volved a cargar la página y probad de nuevo.",
	},
	English: {
		"limits.tooLarge":  "Too large: the editor takes requests of at most %s and saved nothing of this one. Shorten the text and send it again.",
		"limits.crossSite": "Refused: this request came from another site. If you pressed a button in the editor, reload the page and try again.",
	},
}
