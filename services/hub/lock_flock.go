//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDataDir takes the data directory for this process alone: a second hub on the
// same -data (another NATS port, say) would run a second JetStream server on the same
// store files, corrupting them, and a second set of workers delivering every bulletin
// twice. The lock is the kernel's (flock), so it ends with the process however that
// ends; unlock releases it at a clean stop.
func lockDataDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("-data %s: %w", dir, err)
	}
	path := filepath.Join(dir, "hub.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("-data %s: lock: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("-data %s: another hub is running on this directory (it holds %s): stop it, or give this one another -data", dir, path)
		}
		return nil, fmt.Errorf("-data %s: lock %s: %w", dir, path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
