package i18n

// channelsWords are what the compose page says of where each channel takes a bulletin.
var channelsWords = map[Lang]map[string]string{
	Catalan: {
		"channels.tgTo":      "Telegram: es publicarà a %s.",
		"channels.tgOnlyIf":  "Telegram: aquest butlletí en %s no es publicarà a %s si el seu grup ja hi té la versió en %s (el canal publica una sola versió de cada grup). Per publicar-lo igualment, demaneu a informàtica un xat per a aquesta llengua.",
		"channels.tgSandbox": "(sandbox local: no arriba a la ciutadania)",
	},
	Spanish: {
		"channels.tgTo":      "Telegram: se publicará en %s.",
		"channels.tgOnlyIf":  "Telegram: este boletín en %s no se publicará en %s si su grupo ya tiene allí la versión en %s (el canal publica una sola versión de cada grupo). Para publicarlo igualmente, pida a informática un chat para esta lengua.",
		"channels.tgSandbox": "(sandbox local: no llega a la ciudadanía)",
	},
	English: {
		"channels.tgTo":      "Telegram: goes to %s.",
		"channels.tgOnlyIf":  "Telegram: this bulletin in %s will not be posted to %s if its group already has the %s version there (the channel posts one version of each group). To post it anyway, ask IT for a chat for this language.",
		"channels.tgSandbox": "(local sandbox: reaches no citizen)",
	},
}
