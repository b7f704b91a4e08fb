// Package filelock takes advisory locks on files, so that processes
// sharing a data directory (a server and a command run beside it) take
// turns at what only one may do at a time.
package filelock

import (
	"fmt"
	"os"
	"syscall"
)

// Lock takes an exclusive advisory lock on path, waiting for other
// processes that hold it; SQLite migrations and the local blob store's
// pack use it so that two processes opening the same file never set it up
// at once.
func Lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) // closing releases it too
		f.Close()
	}, nil
}
