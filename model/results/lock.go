package results

import (
	"errors"
	"fmt"
	"io"
)

// ErrLocked is wrapped by LockDir's error when another process holds the
// directory.
var ErrLocked = errLocked

// LockDir takes the lock a run holds on its staging directory (flock,
// exclusive, non-blocking) on dir, for commands that write a directory of
// their own (dcsim risk). Close the result to release it; the lock also
// goes with the process, even after kill -9. Where the file system cannot
// lock, it returns a no-op closer.
func LockDir(dir string) (io.Closer, error) {
	f, err := lockDir(dir)
	if errors.Is(err, errLocked) {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if err != nil {
		return nil, err
	}
	if f == nil {
		return io.NopCloser(nil), nil
	}
	return f, nil
}
