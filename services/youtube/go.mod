module github.com/paeria/pregoner/services/youtube

go 1.26
