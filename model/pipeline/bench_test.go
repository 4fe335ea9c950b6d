package pipeline

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// benchRun runs kakao-2022 through the whole pipeline, n replications,
// and reports replications per second.
func benchRun(b *testing.B, n int, plots bool) {
	path := "../../scenarios/kakao-2022.toml"
	sc, err := model.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(b.TempDir(), "out")
		spec := Spec{ScenarioPath: path, Scenario: sc, Seed: 1, Replications: n, Workers: 2, Shard: sim.Shard{Count: 1},
			Out: out, Plots: plots, Version: "bench", Kind: KindRun}
		if _, err := Run(context.Background(), spec, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "reps/s")
}

// BenchmarkPipelineKakao10k is `dcsim run kakao-2022 -n 10000` as a
// library call: simulation, checkpoints, files, plots and report.
func BenchmarkPipelineKakao10k(b *testing.B) { benchRun(b, 10000, true) }

// BenchmarkPipelineKakao10kNoPlots is the same without plots and report.
func BenchmarkPipelineKakao10kNoPlots(b *testing.B) { benchRun(b, 10000, false) }

// BenchmarkSimulateKakao10k is the simulation alone: what the pipeline's
// overhead is measured against.
func BenchmarkSimulateKakao10k(b *testing.B) {
	sc, err := model.Load("../../scenarios/kakao-2022.toml")
	if err != nil {
		b.Fatal(err)
	}
	m := []*model.Model{model.Compile(sc)}
	for b.Loop() {
		col, _ := results.NewCollector(sc.Name, []string{"baseline"}, serviceNames(sc), 0)
		col.Grow(10000)
		model.Simulate(context.Background(), m, sim.RunConfig{Seed: 1, From: 0, To: 10000, Workers: 2}, func(rep int, o []results.Outcome) { col.Add(rep, o) })
	}
	b.ReportMetric(10000*float64(b.N)/b.Elapsed().Seconds(), "reps/s")
}

// BenchmarkPipelineOverhead runs the whole pipeline and the simulation
// alone on kakao-2022, 10,000 replications, alternately, and reports the
// pipeline's time as a multiple of the simulation's (target ≤ 1.3).
func BenchmarkPipelineOverhead(b *testing.B) {
	path := "../../scenarios/kakao-2022.toml"
	sc, err := model.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	m := []*model.Model{model.Compile(sc)}
	var whole, alone time.Duration
	for b.Loop() {
		t0 := time.Now()
		col, _ := results.NewCollector(sc.Name, []string{"baseline"}, serviceNames(sc), 0)
		model.Simulate(context.Background(), m, sim.RunConfig{Seed: 1, From: 0, To: 10000, Workers: 2}, func(rep int, o []results.Outcome) { col.Add(rep, o) })
		alone += time.Since(t0)
		t0 = time.Now()
		spec := Spec{ScenarioPath: path, Scenario: sc, Seed: 1, Replications: 10000, Workers: 2, Shard: sim.Shard{Count: 1},
			Out: filepath.Join(b.TempDir(), "out"), Plots: true, Version: "bench", Kind: KindRun}
		if _, err := Run(context.Background(), spec, nil); err != nil {
			b.Fatal(err)
		}
		whole += time.Since(t0)
	}
	b.ReportMetric(float64(whole)/float64(alone), "x_simulation")
}
