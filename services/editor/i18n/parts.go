package i18n

// parts are screens' own word tables, each in a file of its own (e.g. drafts.go), by
// language. Each part gives every key in all three languages; the tests check it.
var parts = []map[Lang]map[string]string{attentionWords, firstRunWords, draftsWords, historyWords, channelsWords, cliWords, limitsWords, problemsWords, rulesWords}
