package pipeline

import (
	"context"
	"path/filepath"
	"runtime"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
)

// MergeSettings are how shards are merged.
type MergeSettings struct {
	Out     string
	Force   bool
	Plots   bool // draw the plots (SVG) and report.html
	PNG     bool // with Plots, also draw each plot as PNG
	Version string
	// Load loads and validates the scenario copy of the first shard; nil
	// means model.Load.
	Load func(path string) (*model.Scenario, error)
	// Observer, if set, is told the phases and the reading's progress.
	Observer MergeObserver
}

// MergeObserver receives a merge's progress, from the merging goroutine;
// its methods must return quickly.
type MergeObserver interface {
	// Reading starts reading the shards' total replications.
	Reading(total int)
	// Read reports the replications read so far.
	Read(done int)
	// Phase says a phase after the reading has started: PhaseMergeWrite,
	// PhasePlots, PhaseReport.
	Phase(name string)
}

// Phases of a merge after the reading, as passed to MergeObserver.Phase.
const (
	PhaseMergeWrite = "writing the merged results"
	PhasePlots      = "drawing plots"
)

type quietMerge struct{}

func (quietMerge) Reading(int)  {}
func (quietMerge) Read(int)     {}
func (quietMerge) Phase(string) {}

// Merge combines the shard directories dirs into the result one unsharded
// run writes: the same tables and summary.json byte for byte, and — rebuilt
// from the first shard's manifest and scenario copy — the comparison's
// files, the plots and the report, all committed at once. If ctx is
// cancelled — in any phase: reading, summarising and writing the tables,
// drawing, the report — Merge stops within moments, removes what it
// staged, and returns an *Interrupted: nothing is written to ms.Out and
// the shards are untouched.
func Merge(ctx context.Context, dirs []string, ms MergeSettings) (*Result, error) {
	if len(dirs) == 0 {
		return nil, inputf("merge needs the shard directories as arguments")
	}
	man, err := results.ReadManifest(filepath.Join(dirs[0], results.ManifestFile))
	if err != nil {
		return nil, inputErr(err)
	}
	path := filepath.Join(dirs[0], man.ScenarioFile)
	load := ms.Load
	if load == nil {
		load = model.Load
	}
	sc, err := load(path)
	if err != nil {
		return nil, err
	}
	var j *Job
	if man.Command == "compare" {
		j, err = NewCompare(sc, path, CompareOptionsFromManifest(man.Options))
	} else {
		j, err = NewRun(sc, path, man.Options["incident"])
	}
	if err != nil {
		return nil, err
	}
	s := Settings{Seed: man.Seed, Replications: man.Replications, Workers: runtime.GOMAXPROCS(0), Plots: ms.Plots, PNG: ms.PNG, Version: ms.Version}
	obs := ms.Observer
	if obs == nil {
		obs = quietMerge{}
	}
	out := &Result{}
	before := func(dir string, col *results.Collector, sum *results.Summary) error {
		m, err := results.ReadManifest(filepath.Join(dir, results.ManifestFile))
		if err != nil {
			return err
		}
		out.Manifest, out.Summary, out.Collector = m, sum, col
		if j.compare != nil {
			cmp, err := j.compare.evaluate(ctx, col, s)
			if err != nil {
				return err
			}
			out.Comparison = cmp
			if err := WriteCompare(dir, cmp, ms.Version); err != nil {
				return err
			}
		}
		if !ms.Plots {
			return nil
		}
		obs.Phase(PhasePlots)
		art, err := j.derive(ctx, dir, col, s, out.Comparison)
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		obs.Phase(PhaseReport)
		sv := &saved{man: m, sum: sum, services: col.Services(), variants: col.Variants(), sc: sc, cmp: out.Comparison, art: art}
		if j.compare != nil {
			sv.plan = j.compare.plan
		}
		return writeReportOf(dir, sv, col)
	}
	obs.Reading(man.Replications)
	_, _, err = results.MergeWith(ctx, dirs, ms.Out, ms.Force, results.MergeHooks{
		Progress:     obs.Read,
		Writing:      func() { obs.Phase(PhaseMergeWrite) },
		BeforeCommit: before,
	})
	if ctx.Err() != nil {
		return nil, interrupted("merge interrupted; nothing written to %s (the shards are untouched): run it again", ms.Out)
	}
	if err != nil {
		return nil, inputErr(err)
	}
	out.Dir = ms.Out
	return out, nil
}

// scenarioFor applies a run's --incident option.
func scenarioFor(sc *model.Scenario, incident string) *model.Scenario {
	for i, in := range sc.Incidents {
		if incident != "" && in.Name == incident {
			return sc.WithIncident(i)
		}
	}
	return sc
}
