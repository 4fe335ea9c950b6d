//go:build !linux

package model

import "time"

// threadCPU is not available here; CPU-time metrics read 0.
func threadCPU() time.Duration { return 0 }
