//go:build !unix

package pipeline

func DiskAvailable(string) (float64, bool) { return 0, false }
