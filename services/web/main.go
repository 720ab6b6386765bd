// Package main is a placeholder until the web service lands.
package main

func main() {}
