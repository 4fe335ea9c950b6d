package pipeline

import (
	"github.com/dcsim/dcsim/model/results"
)

// bytesPerNumber is what one kept number costs on disk: 8 bytes in the
// Collector's spill file and about 20 as text in replications.csv.
const bytesPerNumber = 28

// checkDisk refuses, before any work, a run whose results would not fit
// on the file system of dir. Memory needs no check: the Collector holds at
// most a chunk (results.SpillChunkBytes) of replications in memory and
// spills the rest next to the results.
func checkDisk(dir string, reps, variants, services int) error {
	need := bytesPerNumber * float64(reps) * float64(variants) * float64(services*len(results.ServiceMetrics)+len(results.OverallMetrics))
	avail, ok := diskAvailable(dir)
	if !ok || need < 0.9*avail {
		return nil
	}
	return inputf("%d replications of %d variant(s) need about %.1f GB of disk for their results, more than the %.1f GB free under %s; run slices with --shard i/n on several machines and combine them with dcsim merge",
		reps, variants, need/1e9, avail/1e9, dir)
}
