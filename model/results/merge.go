package results

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Merge combines shard directories into the output directory out, which
// it prepares and commits like a run (see Prepare; force as there). The
// result is exactly the directory one unsharded run would have produced:
// the same replications.csv, summary.json and (if the shards have it)
// replications.parquet, byte for byte, and the same input files; only the
// manifest differs, with shard "0/1", started the earliest shard's start,
// workers the most any shard used, and merged_from listing the shards.
//
// Every directory must hold complete results of the same run (same
// command, version, scenario SHA-256, seed, replications, variants,
// services and options: see Manifest.CheckSameRun), and together their
// replication ranges must cover [0, replications) exactly once. Shards
// may be given in any order and need not share a shard count (0/2 with
// 2/4 and 3/4 is fine): replications are seeded by index. Every problem
// found in the manifests is reported at once.
func Merge(dirs []string, out string, force bool) (*Manifest, *Collector, error) {
	return MergeWith(context.Background(), dirs, out, force, MergeHooks{})
}

// MergeHooks are what MergeWith calls as it goes; each may be nil.
type MergeHooks struct {
	// Progress is called with the number of replications read so far.
	Progress func(done int)
	// Writing is called once every shard is read, before the summary and
	// the merged tables are written.
	Writing func()
	// BeforeCommit is called with the staging directory, the merged
	// Collector and its Summary after the data files are written and
	// before the merged directory is committed, so that a command can add
	// files it derives from all replications (comparison tables, plots,
	// the report) and have them committed atomically with the rest. An
	// error from it abandons the merge.
	BeforeCommit func(dir string, c *Collector, s *Summary) error
}

// MergeWith is Merge with a context and hooks. If ctx is cancelled the
// merge stops within moments — while reading, summarising or writing the
// tables — removes its staging directory and returns ctx's error: the
// shards and any previous result in out are untouched.
func MergeWith(ctx context.Context, dirs []string, out string, force bool, hooks MergeHooks) (*Manifest, *Collector, error) {
	if len(dirs) == 0 {
		return nil, nil, errors.New("merge: no shard directories given")
	}
	ms := make([]*Manifest, len(dirs))
	var errs []error
	for i, dir := range dirs {
		m, err := ReadManifest(filepath.Join(dir, ManifestFile))
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("%s is not a dcsim results directory (no %s)", dir, ManifestFile)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !m.Complete {
			errs = append(errs, fmt.Errorf("%s: shard %s is incomplete (%d of %d replications): resume it first",
				dir, m.Shard, m.ReplicationsDone, shardSize(m)))
		}
		ms[i] = m
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("merge: %w", err)
	}
	ref := ms[0]
	for i, m := range ms[1:] {
		w := *m
		w.Shard = ref.Shard
		if err := ref.sameRun(&w, "in "+dirs[0], "in "+dirs[i+1]); err != nil {
			errs = append(errs, fmt.Errorf("%s and %s are %w", dirs[0], dirs[i+1], err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("merge: %w", err)
	}

	order := make([]int, len(dirs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return ms[a].FirstReplication - ms[b].FirstReplication })
	describe := func(i int) string {
		return fmt.Sprintf("%s (shard %s, replications [%d, %d))", dirs[i], ms[i].Shard, ms[i].FirstReplication, ms[i].EndReplication)
	}
	pos, prev := 0, -1
	for _, i := range order {
		m := ms[i]
		switch {
		case m.FirstReplication < pos:
			errs = append(errs, fmt.Errorf("%s overlaps %s", describe(i), describe(prev)))
		case m.FirstReplication > pos:
			errs = append(errs, fmt.Errorf("replications [%d, %d) are missing: no shard given covers them", pos, m.FirstReplication))
		}
		if m.EndReplication > pos {
			pos, prev = m.EndReplication, i
		}
	}
	if pos < ref.Replications {
		errs = append(errs, fmt.Errorf("replications [%d, %d) are missing: no shard given covers them", pos, ref.Replications))
	}
	if err := errors.Join(errs...); err != nil {
		var have []string
		for _, i := range order {
			have = append(have, describe(i))
		}
		return nil, nil, fmt.Errorf("merge: the shards do not cover replications [0, %d) exactly once:\n%w\nhave:\n\t%s",
			ref.Replications, err, strings.Join(have, "\n\t"))
	}

	d, err := Prepare(out, force, dirs...)
	if err != nil {
		return nil, nil, fmt.Errorf("merge: %w", err)
	}
	m, c, err := merge(ctx, d, dirs, ms, order, hooks)
	if err != nil {
		d.Discard()
		return nil, nil, fmt.Errorf("merge: %w", err)
	}
	return m, c, nil
}

func merge(ctx context.Context, d *Dir, dirs []string, ms []*Manifest, order []int, hooks MergeHooks) (*Manifest, *Collector, error) {
	ref := ms[order[0]]
	c, err := NewCollector(ref.Scenario, ref.Variants, ref.Services, 0)
	if err != nil {
		return nil, nil, err
	}
	c.SetIncident(ref.Incident)
	if err := c.SetGroups(ref.Groups); err != nil {
		return nil, nil, err
	}
	c.SpillTo(d.Path())
	c.Grow(ref.Replications)
	for _, i := range order {
		var rs [2]io.Reader
		var files []*os.File
		for k, name := range []string{ReplicationsFile, OverallFile} {
			f, err := os.Open(filepath.Join(dirs[i], name))
			if err != nil {
				for _, f := range files {
					f.Close()
				}
				return nil, nil, err
			}
			files = append(files, f)
			rs[k] = &ctxReader{ctx: ctx, r: bufio.NewReaderSize(f, 256<<10), c: c, progress: hooks.Progress}
		}
		_, err = readTables(rs[0], filepath.Join(dirs[i], ReplicationsFile), rs[1], filepath.Join(dirs[i], OverallFile), c, -1)
		for _, f := range files {
			f.Close()
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if err != nil {
			return nil, nil, err
		}
		if c.Next() != ms[i].EndReplication {
			return nil, nil, fmt.Errorf("%s: ends at replication %d but its manifest says %d",
				filepath.Join(dirs[i], ReplicationsFile), c.Next(), ms[i].EndReplication)
		}
	}

	// Copy the inputs from the first shard, checking they are what every
	// manifest says they are.
	first := dirs[order[0]]
	inputs := append([]Input{{File: ref.ScenarioFile, SHA256: ref.ScenarioSHA256}}, ref.Inputs...)
	for _, in := range inputs {
		sum, err := copyFile(filepath.Join(first, in.File), filepath.Join(d.Path(), in.File))
		if err != nil {
			return nil, nil, err
		}
		if sum != in.SHA256 {
			return nil, nil, fmt.Errorf("%s: SHA-256 %s, but the manifest says %s", filepath.Join(first, in.File), sum, in.SHA256)
		}
	}

	m := *ref
	m.Shard = "0/1"
	m.Started, m.Workers, m.MergedFrom = ref.Started, 0, nil
	for _, i := range order {
		s := ms[i]
		if s.Started.Before(m.Started) {
			m.Started = s.Started
		}
		m.Workers = max(m.Workers, s.Workers)
		var fin time.Time
		if s.Finished != nil {
			fin = *s.Finished
		}
		m.MergedFrom = append(m.MergedFrom, MergedShard{Dir: dirs[i], Shard: s.Shard, Workers: s.Workers, Started: s.Started, Finished: fin})
	}
	d.Parquet = exists(filepath.Join(first, ParquetFile))
	if hooks.Writing != nil {
		hooks.Writing()
	}
	sum, err := c.summary(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := d.prepared(ctx, &m, c, sum); err != nil {
		return nil, nil, err
	}
	if hooks.BeforeCommit != nil {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if err := hooks.BeforeCommit(d.Path(), c, sum); err != nil {
			return nil, nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if err := d.Commit(); err != nil {
		return nil, nil, err
	}
	return &m, c, nil
}

// ctxReader reads from r until ctx is cancelled, and reports c's length
// to progress as it grows.
type ctxReader struct {
	ctx      context.Context
	r        io.Reader
	c        *Collector
	progress func(int)
	last     int
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if r.progress != nil && r.c.Next() != r.last {
		r.last = r.c.Next()
		r.progress(r.last)
	}
	return r.r.Read(p)
}
