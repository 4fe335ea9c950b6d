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

const kakaoPath = "../../scenarios/kakao-2022.toml"

func kakaoRun(b *testing.B) *Job {
	sc, err := model.Load(kakaoPath)
	if err != nil {
		b.Fatal(err)
	}
	j, err := NewRun(sc, kakaoPath, "")
	if err != nil {
		b.Fatal(err)
	}
	return j
}

// simulateAlone is the simulation of n replications into a Collector,
// nothing written: what the whole command is measured against.
func simulateAlone(j *Job, n, workers int) {
	col, _ := results.NewCollector(j.Scenario.Name, j.Variants, serviceNames(j.Scenario), 0)
	col.Grow(n)
	model.Simulate(context.Background(), j.Models, sim.RunConfig{Seed: 1, From: 0, To: n, Workers: workers},
		func(rep int, o []results.Outcome) { col.Add(rep, o) })
	col.Close()
}

// BenchmarkPipelineOverhead runs `dcsim run kakao-2022 -n 10000` as a
// library call (simulation, checkpoints, files, SVG plots and report) and
// the simulation alone, alternately, and reports the whole command's time
// as a multiple of the simulation's (target ≤ 1.3): wall time
// (x_simulation) and the process's CPU time (x_simulation_cpu), which
// other jobs on a shared machine inflate less.
func BenchmarkPipelineOverhead(b *testing.B) { benchOverhead(b, false) }

// BenchmarkPipelineOverheadPNG is the same with --png: the plots also
// rasterised.
func BenchmarkPipelineOverheadPNG(b *testing.B) { benchOverhead(b, true) }

func benchOverhead(b *testing.B, png bool) {
	const n = 10000
	j := kakaoRun(b)
	var whole, alone, wholeCPU, aloneCPU time.Duration
	for b.Loop() {
		t0, c0 := time.Now(), processCPU()
		simulateAlone(j, n, 2)
		alone += time.Since(t0)
		aloneCPU += processCPU() - c0
		s := Settings{Seed: 1, Replications: n, Workers: 2, Shard: sim.Shard{Count: 1},
			Out: filepath.Join(b.TempDir(), "out"), Plots: true, PNG: png, Version: "bench"}
		t0, c0 = time.Now(), processCPU()
		if _, err := Start(context.Background(), j, s, nil); err != nil {
			b.Fatal(err)
		}
		whole += time.Since(t0)
		wholeCPU += processCPU() - c0
	}
	b.ReportMetric(float64(whole)/float64(alone), "x_simulation")
	b.ReportMetric(float64(wholeCPU)/float64(aloneCPU), "x_simulation_cpu")
	b.ReportMetric(whole.Seconds()/float64(b.N), "s/command")
	b.ReportMetric(alone.Seconds()/float64(b.N), "s/simulation")
}
