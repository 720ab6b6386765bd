// Package main is a placeholder until the telegram service lands.
package main

func main() {}
