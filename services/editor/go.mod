module github.com/paeria/pregoner/services/editor

go 1.26
