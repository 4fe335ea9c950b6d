package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/report"
	"github.com/dcsim/dcsim/model/results"
)

// finish turns a collector holding every replication of the shard into
// the committed results directory: a checkpoint of every replication, the
// summary and the data files, while the comparison (and the budget's
// portfolio) is evaluated and the plots are drawn; then the report from
// what is in memory; then the commit. A shard writes its data files (and
// evaluates its comparison, without a budget) and commits. A cancelled
// ctx stops every phase at once, with every replication saved.
func finish(ctx context.Context, j *Job, s Settings, dir *results.Dir, man *results.Manifest, col *results.Collector, obs Observer) (_ *Result, err error) {
	out := &Result{Manifest: man, Collector: col}
	shard := s.Shard.Count > 1
	pending := false // goroutines still write into the staging directory
	defer func() {
		// Release the lock, for a resume in this process.
		if err != nil && !pending {
			dir.Close()
		}
	}()
	stopped := func() error {
		return interrupted("interrupted after all %d replications were saved in %s; continue with: dcsim run --resume %s (it redoes only what follows the simulation)",
			col.Len(), dir.Path(), s.Out)
	}
	// Three lines of work that only read the collector, side by side:
	// the summary; the data files — first a checkpoint of every
	// replication, so a signal in what follows loses none of them, then
	// the rest once the summary is ready; and the comparison (with a
	// budget's extra simulation) and the plots.
	if s.Plots && !shard {
		obs.Phase(PhaseWrite)
	} else {
		obs.Phase(PhaseWriteData)
	}
	var (
		bg                                        sync.WaitGroup
		ckErr, cmpErr, writeErr, plotErr          error
		art                                       *artifacts
		summary                                   *results.Summary
		checkpointed, evaluated, writing, derived = make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	)
	summarised := make(chan struct{})
	bg.Add(3)
	go func() {
		defer bg.Done()
		defer close(summarised)
		summary = col.Summary()
	}()
	go func() {
		defer bg.Done()
		defer close(writing)
		ckErr = dir.Checkpoint(man, col)
		close(checkpointed)
		if ckErr != nil {
			return
		}
		<-summarised
		if writeErr = dir.Prepared(man, col, summary); writeErr != nil {
			return
		}
		<-evaluated
		if out.Comparison != nil && !shard {
			writeErr = WriteCompare(dir.Path(), out.Comparison, s.Version)
		}
	}()
	go func() {
		defer bg.Done()
		defer close(derived)
		switch {
		case j.compare != nil && shard:
			out.Comparison = j.compare.plan.Evaluate(col, j.compare.money)
		case j.compare != nil:
			out.Comparison, cmpErr = j.compare.evaluate(ctx, col, s)
		}
		close(evaluated)
		if cmpErr == nil && !shard {
			art, plotErr = j.derive(ctx, dir.Path(), col, s, out.Comparison)
		}
	}()
	abandon := func() {
		// The goroutines write only into the staging directory; release
		// its lock once they stop, for a resume in this process.
		pending = true
		go func() {
			bg.Wait()
			dir.Close()
		}()
	}
	// A checkpoint is short and not interruptible: wait for it, so that
	// an interrupted run has saved every replication.
	<-checkpointed
	if ckErr != nil {
		abandon()
		return nil, fmt.Errorf("writing checkpoint: %w; the last checkpoint in %s is intact: make room and continue with: dcsim run --resume %s", ckErr, dir.Path(), s.Out)
	}
	for _, ch := range []chan struct{}{writing, derived} {
		select {
		case <-ch:
		case <-ctx.Done():
			abandon()
			return nil, stopped()
		}
	}
	if cmpErr != nil {
		if ctx.Err() != nil {
			return nil, stopped()
		}
		return nil, cmpErr
	}
	if writeErr != nil {
		return nil, writeErr
	}
	if plotErr != nil {
		if ctx.Err() != nil {
			return nil, stopped()
		}
		return nil, plotErr
	}
	out.Summary = summary
	if s.Plots && !shard {
		obs.Phase(PhaseReport)
		sv := &saved{man: man, sum: summary, services: col.Services(), variants: col.Variants(), sc: j.Scenario, cmp: out.Comparison, art: art}
		if j.compare != nil {
			sv.plan = j.compare.plan
		}
		done := make(chan error, 1)
		bg.Add(1)
		go func() {
			defer bg.Done()
			done <- writeReportOf(dir.Path(), sv, col)
		}()
		select {
		case err := <-done:
			if err != nil {
				return nil, fmt.Errorf("results are complete in %s, but the report failed: %w", dir.Path(), err)
			}
		case <-ctx.Done():
			abandon()
			return nil, stopped()
		}
	}
	if ctx.Err() != nil {
		return nil, stopped()
	}
	if err := dir.Commit(); err != nil {
		return nil, err
	}
	out.Dir = dir.Final()
	return out, nil
}

// derive draws a whole run's plots (when asked for) and runs the Job's
// own Derive, returning what the report reuses.
func (j *Job) derive(ctx context.Context, dir string, col *results.Collector, s Settings, cmp *model.Comparison) (*artifacts, error) {
	var art *artifacts
	if s.Plots {
		if j.compare != nil {
			art = compareArtifacts(j.Scenario, j.compare.plan, col, cmp, KeyService(cmp))
			if err := art.save(ctx, dir, s.PNG); err != nil {
				return nil, err
			}
		} else {
			// A command's own Job (a sweep) draws its own plots: the
			// run's charts are only shown in its report.
			art = runArtifacts(j.runScenario(), s.Seed, col)
			if j.Command == "run" {
				if err := art.save(ctx, dir, s.PNG); err != nil {
					return nil, err
				}
				if err := art.saveTimelineText(dir, j.runScenario(), s.Seed); err != nil {
					return nil, err
				}
			}
		}
	}
	if j.Derive != nil {
		if err := j.Derive(ctx, dir, col, s.Plots); err != nil {
			return nil, err
		}
	}
	return art, nil
}

// writeReportOf renders sv's page to dir/report.html, atomically.
func writeReportOf(dir string, sv *saved, col *results.Collector) error {
	page, err := sv.page(col)
	if err != nil {
		return err
	}
	return report.WriteHTML(filepath.Join(dir, "report.html"), page)
}
