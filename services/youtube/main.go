// Package main is a placeholder until the youtube service lands.
package main

func main() {}
