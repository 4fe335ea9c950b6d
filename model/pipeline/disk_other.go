//go:build !unix

package pipeline

func diskAvailable(string) (float64, bool) { return 0, false }
