package i18n

// cliWords are the command line's status table: the same states and dates as the UI.
var cliWords = map[Lang]map[string]string{
	Catalan: {
		"cli.status.head":       "revisió %d (%s) per %s el %s",
		"cli.status.columns":    "CANAL\tESTAT\tREV\tINTENTS\tON / PER QUÈ",
		"cli.status.waiting":    "esperant que el servei de %s agafi la revisió %d",
		"cli.status.nextTry":    " (proper intent: %s)",
		"cli.status.visible":    "; encara es veu: %s",
		"cli.status.superseded": "no enviat: la revisió %d l'ha substituït abans que li toqués",
		"cli.status.sandbox":    " [sandbox: no arriba al canal real]",
	},
	Spanish: {
		"cli.status.head":       "revisión %d (%s) por %s el %s",
		"cli.status.columns":    "CANAL\tESTADO\tREV\tINTENTOS\tDÓNDE / POR QUÉ",
		"cli.status.waiting":    "esperando que el servicio de %s tome la revisión %d",
		"cli.status.nextTry":    " (próximo intento: %s)",
		"cli.status.visible":    "; aún se ve: %s",
		"cli.status.superseded": "no enviado: la revisión %d lo sustituyó antes de su turno",
		"cli.status.sandbox":    " [sandbox: no llega al canal real]",
	},
	English: {
		"cli.status.head":       "revision %d (%s) by %s at %s",
		"cli.status.columns":    "CHANNEL\tSTATE\tREV\tATTEMPTS\tWHERE / WHY",
		"cli.status.waiting":    "waiting for the %s worker to take revision %d",
		"cli.status.nextTry":    " (next try %s)",
		"cli.status.visible":    "; still visible: %s",
		"cli.status.superseded": "not sent: revision %d replaced it before its turn",
		"cli.status.sandbox":    " [sandbox: nothing reaches the real channel]",
	},
}
