module github.com/paeria/pregoner/services/telegram

go 1.26

require (
	github.com/go-telegram/bot v1.19.0
	github.com/nats-io/nats.go v1.55.0
	github.com/paeria/pregoner/shared v0.0.0-00010101000000-000000000000
	github.com/yuin/goldmark v1.8.7
	golang.org/x/time v0.16.0
)
