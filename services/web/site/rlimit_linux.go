package site

import (
	"fmt"
	"syscall"
)

// RaiseFileLimit raises the process's soft limit on open files (RLIMIT_NOFILE) to its
// hard limit, and returns both soft limits. Every live-update stream holds a file, and
// so does every connection of the bus and the editor in the same process: a soft limit
// under the hard one only makes the crowd hit the wall sooner. Go's runtime already
// does this at start on Linux (Go ≥ 1.19), so this mostly confirms it and logs it; it
// can never raise the hard limit (systemd's LimitNOFILE, ulimit -Hn) — that is the
// operator's.
func RaiseFileLimit() (before, after uint64, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, fmt.Errorf("web: read the open-file limit: %w", err)
	}
	if lim.Cur >= lim.Max {
		return lim.Cur, lim.Cur, nil
	}
	before = lim.Cur
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return before, before, fmt.Errorf("web: raise the open-file limit from %d to %d: %w", before, lim.Max, err)
	}
	return before, lim.Max, nil
}

// fileLimit is the process's soft limit on open files.
func fileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("web: read the open-file limit: %w", err)
	}
	return lim.Cur, nil
}
