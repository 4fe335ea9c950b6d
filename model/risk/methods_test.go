package risk

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// twoTypes is a compound Poisson model with a known AAL: frequent small
// incidents and rare large ones, lognormal severities drawn from a stream
// of their own per (year, arrival) so every variant and method sees the
// same severity for the same arrival.
var twoTypes = struct {
	inc []Incident
	sev []sim.Dist
}{
	inc: []Incident{{"small", 1.5}, {"fire", 0.015}},
	sev: []sim.Dist{sim.LognormalMedianP95(1e5, 4e5), sim.LognormalMedianP95(5e7, 2e8)},
}

func twoTypesAAL() float64 {
	s := 0.0
	for k, in := range twoTypes.inc {
		s += in.PerYear * twoTypes.sev[k].Mean()
	}
	return s
}

func twoTypesSim(_, _ int, in *YearInput, out *YearOutcome) error {
	for j, a := range in.Arrivals {
		r := sim.NewStream(in.Seed, in.Rep, uint64(1000+j))
		out.EventLoss[j] = twoTypes.sev[a.Incident].Sample(r)
	}
	return nil
}

// twoVariants is the two-type catalogue with the baseline and an option
// at the given rates of small incidents and fires.
func twoVariants(m Method, years int, seed uint64, small, fire float64) *Config {
	return &Config{
		Incidents: twoTypes.inc,
		Variants: []Variant{
			{Name: "baseline", PerYear: []float64{1.5, 0.015}},
			{Name: "option", PerYear: []float64{small, fire}},
		},
		Services: []string{"s"}, Years: years, Seed: seed, Method: m, Workers: 2,
	}
}

func runTwoTypes(tb testing.TB, m Method, years int, seed uint64) *YLT {
	tb.Helper()
	cfg := &Config{Incidents: twoTypes.inc, Years: years, Seed: seed, Method: m, Workers: 2}
	tabs, _, err := Run(context.Background(), cfg, twoTypesSim)
	if err != nil {
		tb.Fatal(err)
	}
	return tabs[0]
}

// TestMethodsAgree checks that naive, conditional and importance sampling
// estimate the same AAL (which is known: Σ_k λ_k E[X_k]) and the same
// 100-year aggregate loss: each pair of 100-year intervals overlaps, and
// each AAL interval covers the exact value.
func TestMethodsAgree(t *testing.T) {
	want := twoTypesAAL()
	var aep [3]EPPoint
	for k, m := range []Method{Naive, Conditional, Importance} {
		tab := runTwoTypes(t, m, 40000, 11)
		if err := tab.Check(); err != nil {
			t.Fatal(err)
		}
		if a := tab.AAL(); !covers(a.CI95, want) {
			t.Errorf("%v: AAL %+v, want %v in the interval", m, a, want)
		}
		aep[k] = tab.AEP([]float64{100})[0]
		t.Logf("%-11v AAL %v  AEP100 %.4g %v", m, tab.AAL(), aep[k].Loss, aep[k].CI95)
	}
	for i := range aep {
		for j := i + 1; j < len(aep); j++ {
			if aep[i].CI95[1] < aep[j].CI95[0] || aep[j].CI95[1] < aep[i].CI95[0] {
				t.Errorf("100-year losses disagree: %+v and %+v", aep[i], aep[j])
			}
		}
	}
}

// repsRatio returns how many times fewer years method m needs than naive
// sampling for the same 95% interval width on the 100-year aggregate loss,
// from the widths w at N years (width² ∝ 1/N):
//
//	ratio = (w_naive² N_naive) / (w_m² N_m)
//
// averaged over seeds (squared widths summed) so one lucky seed does not
// decide it.
func repsRatio(tb testing.TB, m Method, nNaive, nM int, seeds int) float64 {
	var wn, wm float64
	for s := range seeds {
		a := runTwoTypes(tb, Naive, nNaive, uint64(100+s)).AEP([]float64{100})[0]
		b := runTwoTypes(tb, m, nM, uint64(100+s)).AEP([]float64{100})[0]
		wn += (a.CI95[1] - a.CI95[0]) * (a.CI95[1] - a.CI95[0])
		wm += (b.CI95[1] - b.CI95[0]) * (b.CI95[1] - b.CI95[0])
	}
	return (wn * float64(nNaive)) / (wm * float64(nM))
}

// TestImportanceSavesReplications checks the issue's target: importance
// sampling reaches the naive interval width on the 100-year loss with at
// least 20 times fewer simulated years.
func TestImportanceSavesReplications(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	for _, m := range []Method{Importance, Conditional} {
		r := repsRatio(t, m, 40000, 2000, 4)
		t.Logf("%v: %.1f× fewer years than naive for the same 100-year CI width", m, r)
		if m == Importance && r < 20 {
			t.Errorf("importance sampling needs only %.1f× fewer years; want ≥ 20×", r)
		}
	}
}

// BenchmarkImportance100Year reports, per method, the factor by which it
// needs fewer simulated years than naive sampling for the same 95%
// interval width on the 100-year aggregate loss (reps_ratio), and the
// interval width it reaches with 20× fewer years relative to naive's
// (width_ratio_at_20x; ≤ 1 means the target is met).
func BenchmarkImportance100Year(b *testing.B) {
	for _, m := range []Method{Importance, Conditional} {
		b.Run(m.String(), func(b *testing.B) {
			var r float64
			for range b.N {
				r = repsRatio(b, m, 40000, 2000, 4)
			}
			b.ReportMetric(r, "reps_ratio")
			b.ReportMetric(math.Sqrt(20/r), "width_ratio_at_20x")
		})
	}
}

func ExampleConstantLoss() {
	m := ConstantLoss{Lambda: 0.5, C: 2e6}
	fmt.Println(m.AAL(), m.AEP(10), m.AEP(100), m.OEP(100))
	// Output: 1e+06 2e+06 6e+06 2e+06
}

// TestNothingRare checks that asking for conditional or importance sampling
// of a catalogue with no rare type falls back to naive sampling.
func TestNothingRare(t *testing.T) {
	for _, m := range []Method{Conditional, Importance, Auto} {
		cfg := &Config{Incidents: []Incident{{"often", 3}, {"never", 0}}, Years: 50, Seed: 1, Method: m}
		tabs, d, err := Run(context.Background(), cfg, constantSim(1))
		if err != nil {
			t.Fatal(err)
		}
		if d.Method != Naive || tabs[0].Check() != nil {
			t.Errorf("%v with nothing rare: method %v, check %v", m, d.Method, tabs[0].Check())
		}
	}
}
