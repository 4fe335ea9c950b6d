package model

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/model/risk"
	"github.com/dcsim/dcsim/sim"
)

// annualScenario is example.toml with a catalogue of two rare incidents
// whose 7-day windows almost never overlap (P ≈ 0.25/yr × 7/365 per year).
func annualScenario(t *testing.T) *Scenario {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "scenarios", "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	src = append(src, []byte(`
[[incidents]]
name = "fire"
hazard = "battery_fire"
site = "alpha"
domain = "a1"
start = "random"
frequency = "0.05/yr"

[[incidents]]
name = "grid"
hazard = "utility_loss"
site = "alpha"
start = "random"
duration = { dist = "lognormal", median = "2h", p95 = "8h" }
frequency = "0.2/yr"
`)...)
	sc, err := Parse("annual.toml", src)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestAnnualAALMatchesCatalogueALE checks the annual simulation against
// the incident-by-incident comparison: when incidents do not overlap, a
// year's expected loss is Σ_i f_i · E[L_i] (compare's ALE), so the two
// estimates, from different random numbers, must agree within their
// combined uncertainty (4 standard errors).
func TestAnnualAALMatchesCatalogueALE(t *testing.T) {
	sc := annualScenario(t)
	plan, err := NewPlan(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	const reps = 3000
	col, err := results.NewCollector(sc.Name, plan.CollectorVariants(), serviceNames(sc), 0)
	if err != nil {
		t.Fatal(err)
	}
	if res := plan.Run(context.Background(), sim.RunConfig{Seed: 11, To: reps, Workers: 2}, col.Add); !res.Complete {
		t.Fatal("compare run incomplete")
	}
	ale := plan.Evaluate(col, Money{Years: 10, DiscountRate: 0.05}).Options[0].ALE

	ann := NewAnnual(plan, 2)
	for _, m := range []risk.Method{risk.Naive, risk.Importance, risk.Conditional} {
		cfg := ann.Config(40000, 5, m, 2)
		tabs, _, err := risk.Run(context.Background(), cfg, ann.Simulate)
		if err != nil {
			t.Fatal(err)
		}
		aal := tabs[0].AAL()
		seA := (aal.CI95[1] - aal.CI95[0]) / (2 * 1.96)
		seB := (ale.CI95[1] - ale.CI95[0]) / (2 * 1.96)
		if d := math.Abs(aal.Mean - ale.Mean); !(d <= 4*math.Hypot(seA, seB)) {
			t.Errorf("%v: annual AAL %.4g [%.4g, %.4g], catalogue ALE %.4g [%.4g, %.4g]: differ by %.3g standard errors",
				m, aal.Mean, aal.CI95[0], aal.CI95[1], ale.Mean, ale.CI95[0], ale.CI95[1], d/math.Hypot(seA, seB))
		}
	}
}

// TestAnnualIsDeterministic checks that a year's losses depend only on the
// seed and the year, whatever the number of workers.
func TestAnnualIsDeterministic(t *testing.T) {
	sc := annualScenario(t)
	plan, err := NewPlan(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := func(workers int) []float64 {
		ann := NewAnnual(plan, workers)
		tabs, _, err := risk.Run(context.Background(), ann.Config(3000, 9, risk.Importance, workers), ann.Simulate)
		if err != nil {
			t.Fatal(err)
		}
		return tabs[0].Loss
	}
	a, b := run(1), run(2)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("year %d: loss %v with 1 worker, %v with 2", i, a[i], b[i])
		}
	}
}

func serviceNames(sc *Scenario) []string {
	var out []string
	for _, s := range sc.Services {
		out = append(out, s.Name)
	}
	return out
}
