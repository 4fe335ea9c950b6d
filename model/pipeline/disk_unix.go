//go:build unix

package pipeline

import "syscall"

// DiskAvailable returns the bytes an unprivileged user may still write on
// the file system holding dir.
func DiskAvailable(dir string) (float64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return float64(st.Bavail) * float64(st.Bsize), true
}
