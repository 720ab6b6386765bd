//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

// lockDataDir takes no lock where flock is missing: run one hub per -data by hand.
func lockDataDir(string) (func(), error) { return func() {}, nil }
