package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dcsim/dcsim/model/results"
)

// expandShardDirs lets dcsim merge take a directory of shard directories,
// as a Kubernetes Job without a shell cannot expand shards/*: an argument
// that is not itself a results directory (no manifest.json) but holds
// results directories stands for those, in name order. A shard still
// running or interrupted there (NAME.partial with no finished NAME) is an
// error naming it, so an incomplete run never merges quietly into a
// smaller one; missing shards are reported by the merge's coverage check.
func expandShardDirs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if _, err := os.Stat(filepath.Join(a, results.ManifestFile)); err == nil {
			out = append(out, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s does not exist", a)
			}
			out = append(out, a) // not a directory: the merge says what is wrong
			continue
		}
		var found, partial []string
		names := map[string]bool{}
		for _, e := range entries {
			names[e.Name()] = true
		}
		for _, e := range entries {
			p := filepath.Join(a, e.Name())
			if !e.IsDir() {
				continue
			}
			if base, ok := strings.CutSuffix(e.Name(), results.StagingSuffix); ok {
				if !names[base] {
					partial = append(partial, p)
				}
				continue
			}
			if _, err := os.Stat(filepath.Join(p, results.ManifestFile)); err == nil {
				found = append(found, p)
			}
		}
		if len(partial) > 0 {
			sort.Strings(partial)
			return nil, fmt.Errorf("%s holds shards that did not finish: %s (resume them with dcsim run --resume, or rerun them)", a, strings.Join(partial, ", "))
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s is neither a dcsim results directory nor a directory of them (no %s in it or in its subdirectories)", a, results.ManifestFile)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}
