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
// the committed results directory: the comparison (and the budget's
// portfolio), then summary and data files while the plots are drawn, then
// the report from what is in memory, then the commit.
//
// bg counts the goroutines that may outlive an interrupted finish.
func (j *job) finish(ctx context.Context, dir *results.Dir, man *results.Manifest, col *results.Collector, bg *sync.WaitGroup) (*Result, error) {
	whole := j.Shard.Count <= 1
	out := &Result{Dir: dir.Final(), Manifest: man, Collector: col}
	if j.Kind == KindCompare && whole {
		cmp, err := j.evaluate(ctx, col)
		if err != nil {
			if ctx.Err() != nil {
				return nil, j.interrupted(PhaseBudget, dir, col.Len())
			}
			return nil, err
		}
		out.Comparison = cmp
	}

	// Summary and data files, and the plots, at the same time.
	j.obs.Phase(PhaseWrite, 0)
	var (
		writeErr       error
		plotErr        error
		charts         *drawn
		writing, drawn = make(chan struct{}), make(chan struct{})
	)
	bg.Add(1)
	go func() {
		defer bg.Done()
		defer close(writing)
		out.Summary = col.Summary()
		if writeErr = dir.Prepared(man, col, out.Summary); writeErr != nil {
			return
		}
		if out.Comparison != nil {
			writeErr = WriteCompare(dir.Path(), out.Comparison, j.Version)
		}
	}()
	if whole && j.Plots {
		bg.Add(1)
		go func() {
			defer bg.Done()
			defer close(drawn)
			charts, plotErr = j.draw(ctx, dir.Path(), col, out.Comparison, bg)
		}()
	} else {
		close(drawn)
	}
	for _, ch := range []chan struct{}{writing, drawn} {
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, j.interrupted(PhaseWrite, dir, col.Len())
		}
	}
	if writeErr != nil {
		return nil, fmt.Errorf("%w; %s", writeErr, lastCheckpoint(dir, j.Out))
	}
	if plotErr != nil {
		if ctx.Err() != nil {
			return nil, j.interrupted(PhasePlot, dir, col.Len())
		}
		return nil, plotErr
	}
	if charts != nil {
		j.obs.Phase(PhaseReport, 0)
		page := buildPage(j.sc, man, col, out.Summary, j.plan, out.Comparison, charts)
		if err := runCtx(ctx, bg, func() error { return writeReport(dir.Path(), page) }); err != nil {
			if ctx.Err() != nil {
				return nil, j.interrupted(PhaseReport, dir, col.Len())
			}
			return nil, fmt.Errorf("the results are complete in %s, but the report failed: %w", dir.Path(), err)
		}
	}
	if ctx.Err() != nil {
		return nil, j.interrupted(PhaseReport, dir, col.Len())
	}
	if err := dir.Commit(); err != nil {
		return nil, err
	}
	out.Dir = dir.Final()
	return out, nil
}

// runCtx runs f, returning early with ctx's error if ctx is cancelled
// first. f goes on in the background then; it only writes temporary files
// in a staging directory, which the next resume cleans.
func runCtx(ctx context.Context, bg *sync.WaitGroup, f func() error) error {
	done := make(chan error, 1)
	bg.Add(1)
	go func() {
		defer bg.Done()
		done <- f()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeReport renders page to dir/report.html, atomically and durably.
func writeReport(dir string, page report.Page) error {
	b, err := report.RenderHTML(page)
	if err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, "report.html"), b)
}

// evaluate computes the comparison and, with a budget, chooses (and if
// needed simulates) the budget's portfolio.
func (j *job) evaluate(ctx context.Context, col *results.Collector) (*model.Comparison, error) {
	cmp := j.plan.Evaluate(col, j.money)
	if b := j.Compare.Budget; b >= 0 {
		bc, err := j.chooseBudget(ctx, cmp)
		if err != nil {
			return nil, err
		}
		cmp.BudgetChoice = bc
	}
	cmp.Seed = j.Seed
	return cmp, nil
}
