//go:build !linux

package main

import "errors"

// raiseFileLimit is Linux-only: elsewhere the limit stays as the shell set it.
func raiseFileLimit() (soft, hard uint64, err error) {
	return 0, 0, errors.New("crowd: reading the open-file limit is only implemented on Linux")
}
