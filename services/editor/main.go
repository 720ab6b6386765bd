// Package main is a placeholder until the editor CLI lands.
package main

func main() {}
