package model

import (
	"math"
	"testing"

	"github.com/dcsim/dcsim/model/results"
)

// TestQuietBackgroundIsExact checks the quiet path for background failures
// against re-evaluating the fleet after every one of them: outcomes agree
// to rounding (deferring an integration changes only the summation order).
func TestQuietBackgroundIsExact(t *testing.T) {
	for _, name := range []string{"example", "kakao-2022", "naver-2022"} {
		sc := frequentFailures(t, name)
		m := Compile(sc)
		quick, full := NewReplication(m), NewReplication(m)
		full.SetPolicy(Policy{FullBackground: true})
		var a, b results.Outcome
		for rep := 0; rep < 150; rep++ {
			quick.Run(sc.Seed, rep, &a)
			full.Run(sc.Seed, rep, &b)
			va, vb := a.OverallValues(), b.OverallValues()
			for k := range va {
				if !close(va[k], vb[k]) {
					t.Fatalf("%s rep %d: %s = %v quiet, %v full", name, rep, results.OverallMetrics[k], va[k], vb[k])
				}
			}
			for s := range a.Services {
				sa, sb := a.Services[s].Values(), b.Services[s].Values()
				for k := range sa {
					if !close(sa[k], sb[k]) {
						t.Fatalf("%s rep %d: %s %s = %v quiet, %v full", name, rep, sc.Services[s].Name, results.ServiceMetrics[k], sa[k], sb[k])
					}
				}
			}
		}
	}
}

// frequentFailures loads a shipped scenario with server and rack failures
// 300 times as frequent, so that many hit services while they are short.
func frequentFailures(t *testing.T, name string) *Scenario {
	t.Helper()
	sc, err := Load("../scenarios/" + name + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	for i := range sc.Sites {
		sc.Sites[i].Failures.ServerRate *= 300
		sc.Sites[i].Failures.RackRate *= 300
	}
	return sc
}

func close(x, y float64) bool {
	return math.Abs(x-y) <= 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
}

// TestBackgroundBatchesAreExact checks that handling background events in
// batches between the engine's events (Run: RunUntil the horizon) gives
// bit for bit the outcomes of dispatching each at its own time (run steps
// the engine, where a batch holds only the events due now): on the
// equivalence cases, and on the shipped scenarios with failures 300 times
// as frequent, so that many are not quiet and end a batch.
func TestBackgroundBatchesAreExact(t *testing.T) {
	names, scs, _ := equivalenceCases(t)
	for _, name := range []string{"example", "kakao-2022", "naver-2022"} {
		names, scs = append(names, name+" ×300"), append(scs, frequentFailures(t, name))
	}
	batched := 0
	for k, sc := range scs {
		r := NewReplication(Compile(sc))
		var a, b results.Outcome
		for rep := 0; rep < 8; rep++ {
			r.Run(sc.Seed, rep, &a)
			batched += int(r.bg.n) - int(r.bg.wakes)
			run(t, r, sc, rep, &b)
			va, vb := outcomeValues(&a), outcomeValues(&b)
			for j := range va {
				if math.Float64bits(va[j]) != math.Float64bits(vb[j]) {
					t.Fatalf("%s rep %d: value %d = %v in batches, %v one at a time", names[k], rep, j, va[j], vb[j])
				}
			}
		}
	}
	if batched <= 0 {
		t.Errorf("no background event was handled in a batch")
	}
}
