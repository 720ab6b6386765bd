module github.com/paeria/pregoner/services/telegram

go 1.26
