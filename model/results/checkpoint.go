package results

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Checkpoint makes what c holds so far durable in the staging directory
// with m.Complete = false: it appends the replications not yet in
// replications.csv to it (the file grows; earlier rows are never
// rewritten), fsyncs it, then replaces manifest.json atomically. The
// manifest is the commit point: a run killed at any moment — even with
// kill -9, even in the middle of an append — resumes with OpenResume from
// the replications the last manifest records. A periodic checkpoint does
// not write summary.json (that needs every column sorted); Save does.
//
// It fills m's Tool, Version, GoVersion, Scenario, Variants, Services,
// replication range, Updated and Complete, and checks that the caller
// filled Command, ScenarioSHA256 (via CopyInputs) and Started, and that
// c's replications lie in m's shard.
func (d *Dir) Checkpoint(m *Manifest, c *Collector) error {
	if d.committed {
		return fmt.Errorf("checkpoint %s: already committed", d.final)
	}
	if err := m.fill(c, false); err != nil {
		return err
	}
	d.syncCost = 0
	if err := d.appendCSV(context.Background(), c); err != nil {
		return err
	}
	t0 := time.Now()
	defer func() { d.syncCost += time.Since(t0) }()
	// A summary.json of an earlier stop no longer describes the rows.
	if err := os.Remove(filepath.Join(d.staging, SummaryFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := WriteManifest(filepath.Join(d.staging, ManifestFile), m); err != nil {
		return err
	}
	d.lastCkpt = time.Now()
	return nil
}

// Save is Checkpoint plus summary.json (of s, or of c if s is nil): what a
// run writes when it stops before the end, so that the partial results
// can be read like complete ones.
func (d *Dir) Save(m *Manifest, c *Collector, s *Summary) error {
	if err := d.Checkpoint(m, c); err != nil {
		return err
	}
	if s == nil {
		s = c.Summary()
	}
	if err := WriteSummary(filepath.Join(d.staging, SummaryFile), s); err != nil {
		return err
	}
	// Written again so it is newer than the summary; it says the same.
	return WriteManifest(filepath.Join(d.staging, ManifestFile), m)
}

// SaveBy is Save that gives up on summary.json, not on the replications,
// when the summary cannot be finished by deadline: every column must be
// sorted, which past a few hundred thousand replications takes longer than
// a signal should wait. The rows are checkpointed first, whatever the
// deadline; summarised reports whether summary.json was written. Without
// it the partial results are complete in their tables, and a resumed run
// writes the summary when it ends.
func (d *Dir) SaveBy(m *Manifest, c *Collector, deadline time.Time) (summarised bool, err error) {
	if err := d.Checkpoint(m, c); err != nil {
		return false, err
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	s, err := c.summary(ctx)
	if err != nil {
		return false, nil // the deadline passed: the checkpoint stands alone
	}
	if err := WriteSummary(filepath.Join(d.staging, SummaryFile), s); err != nil {
		return false, err
	}
	return true, WriteManifest(filepath.Join(d.staging, ManifestFile), m)
}

// CheckpointIfDue calls Checkpoint if at least every has passed since the
// last checkpoint (or since Prepare or OpenResume). It is cheap otherwise,
// so it can be called after every replication.
func (d *Dir) CheckpointIfDue(m *Manifest, c *Collector, every time.Duration) error {
	if time.Since(d.lastCkpt) < every {
		return nil
	}
	return d.Checkpoint(m, c)
}

// SyncCost returns what the last checkpoint spent making its rows and
// manifest durable (fsync, rename), the cost of a checkpoint that does not
// depend on how many rows it appended: appending them is work the results
// need at some point anyway.
func (d *Dir) SyncCost() time.Duration { return d.syncCost }

// SinceCheckpoint returns how long ago the last checkpoint was made (or
// the Dir was opened).
func (d *Dir) SinceCheckpoint() time.Duration { return time.Since(d.lastCkpt) }

// Finish writes the complete results — the rest of replications.csv,
// Parquet if d.Parquet, summary.json (of s, or of c if s is nil), and last
// manifest.json with complete = true — and commits them to the final
// directory. c must hold every replication of m's shard.
func (d *Dir) Finish(m *Manifest, c *Collector, s *Summary) error {
	if err := d.Prepared(m, c, s); err != nil {
		return err
	}
	return d.Commit()
}

// Prepared is Finish without the Commit: the staging directory holds the
// complete results, so a caller may add files derived from them before
// committing, and a signal before Commit loses nothing (resuming commits).
func (d *Dir) Prepared(m *Manifest, c *Collector, s *Summary) error {
	return d.prepared(context.Background(), m, c, s)
}

// prepared is Prepared that stops, with ctx's error, once ctx is
// cancelled (the directory is then only fit to be discarded).
func (d *Dir) prepared(ctx context.Context, m *Manifest, c *Collector, s *Summary) error {
	if d.committed {
		return fmt.Errorf("finish %s: already committed", d.final)
	}
	if err := m.fill(c, true); err != nil {
		return err
	}
	if err := d.appendCSV(ctx, c); err != nil {
		return err
	}
	for k, f := range d.csv {
		if err := f.Close(); err != nil {
			d.csv = nil
			return fmt.Errorf("write %s: %w", filepath.Join(d.staging, tables[k].file), err)
		}
	}
	d.csv = nil
	if d.Parquet {
		if err := WriteParquetTables(d.staging, c, m); err != nil {
			return err
		}
	}
	if s == nil {
		var err error
		if s, err = c.summary(ctx); err != nil {
			return err
		}
	}
	if err := WriteSummary(filepath.Join(d.staging, SummaryFile), s); err != nil {
		return err
	}
	return WriteManifest(filepath.Join(d.staging, ManifestFile), m)
}

// appendCSV appends to replications.csv and overall.csv the replications
// of c they do not hold yet, creating each with its header first, and
// fsyncs them.
func (d *Dir) appendCSV(ctx context.Context, c *Collector) error {
	if d.csv == nil {
		for _, t := range tables {
			path := filepath.Join(d.staging, t.file)
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				return fmt.Errorf("write %s: %w", path, err)
			}
			d.csv = append(d.csv, f)
			if _, err := f.WriteString(strings.Join(t.header, ",") + "\n"); err != nil {
				return fmt.Errorf("write %s: %w", path, err)
			}
		}
		d.csvNext = c.First()
	}
	if d.csvNext < c.First() || d.csvNext > c.Next() {
		return fmt.Errorf("write %s: the tables hold replications up to %d, the collector [%d, %d)", d.staging, d.csvNext, c.First(), c.Next())
	}
	// The files' errors name them already.
	for k, t := range tables {
		bw := bufio.NewWriterSize(d.csv[k], 256<<10)
		if err := c.writeRows(ctx, bw, t, d.csvNext, c.Next()); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		t0 := time.Now()
		err := d.csv[k].Sync()
		d.syncCost += time.Since(t0)
		if err != nil {
			return err
		}
	}
	d.csvNext = c.Next()
	return nil
}
