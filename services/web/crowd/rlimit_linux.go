//go:build linux

package main

import (
	"fmt"
	"syscall"
)

// raiseFileLimit raises this process's soft RLIMIT_NOFILE to its hard limit (never the
// hard limit itself: that is the operator's, ulimit -Hn or systemd's LimitNOFILE) and
// returns the soft and hard limits.
func raiseFileLimit() (soft, hard uint64, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, fmt.Errorf("crowd: read the open-file limit: %w", err)
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			return lim.Cur, lim.Max, fmt.Errorf("crowd: raise the open-file limit from %d to %d: %w", lim.Cur, lim.Max, err)
		}
		lim = want
	}
	return lim.Cur, lim.Max, nil
}
