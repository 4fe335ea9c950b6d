package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// MergeSpec is a merge of shard directories.
type MergeSpec struct {
	Dirs    []string
	Out     string
	Force   bool
	Plots   bool
	Version string
	Load    func(path string) (*model.Scenario, error) // nil: model.Load
}

// Merge combines shard directories into the result one unsharded run
// writes — data files, and the comparison, plots and report rebuilt from
// the merged replications — committed at once. A cancelled ctx stops it
// within moments with nothing written; the shards are never touched.
func Merge(ctx context.Context, ms MergeSpec, obs Observer) (*Result, error) {
	if obs == nil {
		obs = Quiet{}
	}
	if len(ms.Dirs) == 0 {
		return nil, inputf("merge needs the shard directories as arguments")
	}
	man, err := results.ReadManifest(filepath.Join(ms.Dirs[0], results.ManifestFile))
	if err != nil {
		return nil, inputErr(err)
	}
	load := ms.Load
	if load == nil {
		load = model.Load
	}
	path := filepath.Join(ms.Dirs[0], man.ScenarioFile)
	sc, err := load(path)
	if err != nil {
		return nil, err
	}
	spec := Spec{ScenarioPath: path, Scenario: sc, Seed: man.Seed, Replications: man.Replications, Workers: 1,
		Shard: sim.Shard{Index: 0, Count: 1}, Out: ms.Out, Plots: ms.Plots, Version: ms.Version,
		Kind: Kind(man.Command), Incident: man.Options["incident"]}
	if spec.Kind == KindCompare {
		o := CompareOptionsFromManifest(man.Options)
		spec.Compare = &o
	}
	j, err := newJob(spec, obs)
	if err != nil {
		return nil, err
	}
	out := &Result{}
	var bg sync.WaitGroup
	obs.Phase(PhaseMerge, man.Replications)
	m, col, err := results.MergeWith(ctx, ms.Dirs, ms.Out, ms.Force, obs.Progress, func(dir string, col *results.Collector, sum *results.Summary) error {
		out.Summary = sum
		if j.Kind == KindCompare {
			cmp, err := j.evaluate(ctx, col)
			if err != nil {
				return err
			}
			out.Comparison = cmp
			if err := WriteCompare(dir, cmp, j.Version); err != nil {
				return err
			}
		}
		if !j.Plots {
			return nil
		}
		d, err := drawCharts(ctx, dir, j.sc, j.Seed, j.plan, col, out.Comparison, obs, &bg)
		if err != nil {
			return err
		}
		mm, err := results.ReadManifest(filepath.Join(dir, results.ManifestFile))
		if err != nil {
			return err
		}
		obs.Phase(PhaseReport, 0)
		return runCtx(ctx, &bg, func() error { return writeReport(dir, buildPage(j.sc, mm, col, sum, j.plan, out.Comparison, d)) })
	})
	if ctx.Err() != nil {
		return nil, &Interrupted{Phase: PhaseMerge, Msg: fmt.Sprintf("merge interrupted; nothing written to %s (the shards and any earlier result there are untouched)", ms.Out)}
	}
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, err
		}
		return nil, inputErr(err)
	}
	out.Dir, out.Manifest, out.Collector = ms.Out, m, col
	return out, nil
}

// Redraw rebuilds the report.html of the results directory dir from its
// files, and with plots its PNG and SVG plots too.
func Redraw(ctx context.Context, dir string, plots bool, load func(string) (*model.Scenario, error), obs Observer) error {
	if obs == nil {
		obs = Quiet{}
	}
	if load == nil {
		load = model.Load
	}
	man, col, err := results.Load(dir)
	if err != nil {
		return inputf("%s is not a readable dcsim results directory (one written by dcsim run, compare or merge): %v", dir, err)
	}
	sc, err := load(filepath.Join(dir, man.ScenarioFile))
	if err != nil {
		return err
	}
	results.RemoveStaleTemps(dir)
	var plan *model.Plan
	var cmp *model.Comparison
	runSc := scenarioFor(sc, man.Options["incident"])
	if man.Command == string(KindCompare) {
		var portfolios [][]string
		for _, v := range man.Variants {
			name, _, _ := strings.Cut(v, "@")
			if name == "baseline" {
				continue
			}
			dup := false
			for _, p := range portfolios {
				if model.PortfolioName(p) == name {
					dup = true
				}
			}
			if !dup {
				portfolios = append(portfolios, strings.Split(name, "+"))
			}
		}
		if plan, err = model.NewPlan(sc, portfolios); err != nil {
			return inputErr(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "compare.json"))
		if err != nil {
			return inputf("%s: %v", dir, errNoCompare)
		}
		cmp = &model.Comparison{}
		if err := json.Unmarshal(b, cmp); err != nil {
			return inputf("%s: compare.json: %v", dir, err)
		}
		runSc = sc
	}
	target := dir
	if !plots {
		target = "" // build the charts for the report, write no files
	}
	var bg sync.WaitGroup
	d, err := drawCharts(ctx, target, runSc, man.Seed, plan, col, cmp, obs, &bg)
	if err != nil {
		return err
	}
	obs.Phase(PhaseReport, 0)
	return runCtx(ctx, &bg, func() error { return writeReport(dir, buildPage(runSc, man, col, col.Summary(), plan, cmp, d)) })
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
