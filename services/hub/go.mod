module github.com/paeria/pregoner/services/hub

go 1.26
