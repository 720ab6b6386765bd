module github.com/paeria/pregoner/services/web

go 1.26
