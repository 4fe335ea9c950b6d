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
		sc, err := Load("../scenarios/" + name + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		// Frequent failures so that many hit services while they are short.
		for i := range sc.Sites {
			sc.Sites[i].Failures.ServerRate *= 300
			sc.Sites[i].Failures.RackRate *= 300
		}
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

func close(x, y float64) bool {
	return math.Abs(x-y) <= 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
}
