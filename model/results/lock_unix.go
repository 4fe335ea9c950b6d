//go:build unix

package results

import (
	"errors"
	"os"
	"syscall"
)

// lockDir takes an exclusive, non-blocking flock on directory dir and
// returns the open file that holds it; the lock lasts until the file is
// closed or the process ends (even by kill -9). It returns errLocked if
// another process (or another Dir in this one) holds it, and (nil, nil)
// where the file system does not support locking.
func lockDir(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, nil
	}
	return f, nil
}
