//go:build unix

package model

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// The target of service groups (README, "Performance"): a scenario of
// 1,000 services in groups over a 90-day horizon, 1,000 replications in
// < 20 s on 2 cores with peak memory < 300 MB. Run with
//
//	go test -run '^$' -bench Groups1000 -benchmem -count 5 ./model
//
// BenchmarkGroups1000 is one replication (one op) through a reused
// Replication; BenchmarkGroups1000Run is the whole simulation side of
// dcsim run: 1,000 replications on 2 workers into a Collector and its
// Summary (group order statistics included), reporting the CPU seconds
// it took (cpu-s, steady on a shared machine), the wall seconds (s/run),
// and the Go heap in use at its peak (MB, sampled after the summary).

func loadGroups1000(b *testing.B) *Scenario {
	b.Helper()
	sc, err := Load("../scenarios/examples/groups-1000.toml")
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

func BenchmarkGroups1000(b *testing.B) { benchReplications(b, loadGroups1000(b)) }

func BenchmarkGroups1000Run(b *testing.B) {
	const reps = 1000
	sc := loadGroups1000(b)
	m := Compile(sc)
	names := make([]string, len(sc.Services))
	for i, s := range sc.Services {
		names[i] = s.Name
	}
	var cpu time.Duration
	peak := 0.0
	for b.Loop() {
		col, err := results.NewCollector(sc.Name, []string{"baseline"}, names, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := col.SetGroups(sc.ResultGroups()); err != nil {
			b.Fatal(err)
		}
		col.SpillTo(b.TempDir())
		c0 := processCPU()
		res := Simulate(context.Background(), []*Model{m}, sim.RunConfig{Seed: sc.Seed, To: reps, Workers: 2},
			func(rep int, o []results.Outcome) { col.Add(rep, o) })
		if !res.Complete {
			b.Fatal("incomplete run")
		}
		sum := col.Summary()
		cpu += processCPU() - c0
		if len(sum.Variants[0].Groups) != len(sc.Groups) {
			b.Fatal("groups missing from the summary")
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, float64(ms.HeapSys)/1e6)
		col.Close()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
	b.ReportMetric(peak, "heap-MB")
}
