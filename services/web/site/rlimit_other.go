//go:build !linux

package site

import "errors"

// errNoRlimit: the council runs Linux; elsewhere the cap falls back to fallbackFileLimit.
var errNoRlimit = errors.New("web: the open-file limit is only read on Linux")

// RaiseFileLimit does nothing off Linux; see the Linux version.
func RaiseFileLimit() (before, after uint64, err error) { return 0, 0, errNoRlimit }

func fileLimit() (uint64, error) { return 0, errNoRlimit }
