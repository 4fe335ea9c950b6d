package pipeline

import (
	"os"
	"strconv"
	"strings"

	"github.com/dcsim/dcsim/model/results"
)

// checkMemory refuses, before any work, a run whose kept per-replication
// values would not fit in the memory available: 8 bytes per metric per
// service per variant per replication, twice that while slices grow.
func checkMemory(reps, variants, services int) error {
	need := 2 * 8 * float64(reps) * float64(variants) * float64(services*len(results.ServiceMetrics)+len(results.OverallMetrics))
	avail, ok := memAvailable()
	if !ok || need < 0.8*avail {
		return nil
	}
	return inputf("%d replications of %d variant(s) need about %.1f GB to keep their results, more than the %.1f GB available; run slices with --shard i/n and combine them with dcsim merge",
		reps, variants, need/1e9, avail/1e9)
}

// memAvailable reads MemAvailable from /proc/meminfo, in bytes.
func memAvailable() (float64, bool) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseFloat(f[0], 64)
				if err == nil {
					return kb * 1024, true
				}
			}
		}
	}
	return 0, false
}
