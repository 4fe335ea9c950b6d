//go:build !unix

package main

func diskAvailable(string) (float64, bool) { return 0, false }
