package risk

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// constantSim is the year simulator of a compound Poisson loss with every
// incident costing c.
func constantSim(c float64) Simulate {
	return func(_, _ int, in *YearInput, out *YearOutcome) error {
		for j := range in.Arrivals {
			out.EventLoss[j] = c
		}
		return nil
	}
}

// covers reports whether x lies in iv widened about its centre from 95% to
// 99.9% normal coverage (×3.29/1.96), plus a relative 1e-6 for intervals of
// zero width (a design that is exact for the quantity but for its tail
// stratum of probability ~1e-6, whose few rows may not vary). A test makes
// dozens of such checks with fixed seeds; at 95% one in twenty would miss
// by chance.
func covers(iv Interval, x float64) bool {
	c, h := (iv[0]+iv[1])/2, (iv[1]-iv[0])/2
	if math.IsInf(iv[1], 1) {
		return x >= iv[0]-1e-6*math.Abs(x)
	}
	return math.Abs(x-c) <= h*3.2905/1.96+1e-6*math.Abs(x)
}

func runOne(t *testing.T, cfg *Config, s Simulate) *YLT {
	t.Helper()
	tabs, _, err := Run(context.Background(), cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := tabs[0].Check(); err != nil {
		t.Fatal(err)
	}
	return tabs[0]
}

// TestConstantLossExact checks AAL, the AEP and OEP, and the exceedance
// probabilities of a compound Poisson loss with constant severity against
// their exact values (ConstantLoss), for every sampling method: each exact
// value must lie in the estimate's 95% interval.
func TestConstantLossExact(t *testing.T) {
	const c = 1e6
	for _, lam := range []float64{0.02, 0.3, 2.5} {
		for _, m := range []Method{Naive, Conditional, Importance} {
			t.Run(fmt.Sprintf("lambda=%g/%v", lam, m), func(t *testing.T) {
				cfg := &Config{Incidents: []Incident{{"fire", lam}}, Years: 40000, Seed: 7, Method: m, Workers: 2, RareBelow: 3}
				tab := runOne(t, cfg, constantSim(c))
				ex := ConstantLoss{Lambda: lam, C: c}
				if a := tab.AAL(); !covers(a.CI95, ex.AAL()) {
					t.Errorf("AAL %v, want %v in the interval", a, ex.AAL())
				}
				cur := tab.NewCurve(tab.Loss)
				for k := 0; k < 6; k++ {
					want := PoissonTail(lam, k+1)
					got := cur.ExceedanceCI(float64(k) * c)
					if want > 1e-3 && !covers(got.CI95, want) {
						t.Errorf("P(S > %d·c) = %v, want %v in the interval", k, got, want)
					}
				}
				for _, T := range []float64{2, 5, 10, 25, 50, 100, 250} {
					if p := tab.AEP([]float64{T})[0]; !covers(p.CI95, ex.AEP(T)) {
						t.Errorf("AEP(%g) = %+v, want %v in the interval", T, p, ex.AEP(T))
					}
					if p := tab.OEP([]float64{T})[0]; !covers(p.CI95, ex.OEP(T)) {
						t.Errorf("OEP(%g) = %+v, want %v in the interval", T, p, ex.OEP(T))
					}
				}
			})
		}
	}
}

// TestAvailabilityClosedForms simulates n repairable units over years
// (exponential times to failure and repair, each unit started from its
// stationary state so the year has no warm-up transient) and checks the
// downtime of a k-of-n system against the closed forms A = μ/(λ+μ) and
// the binomial sum (KofN): (1 − A)·8760 h must lie in the interval of
// downtime_h_per_year.
func TestAvailabilityClosedForms(t *testing.T) {
	cases := []struct {
		name       string
		k, n       int
		mttf, mttr float64 // hours
	}{
		{"single", 1, 1, 2000, 24},
		{"1+1", 1, 2, 500, 48},
		{"2-of-3", 2, 3, 800, 72},
		{"3-of-4", 3, 4, 1500, 36},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := UnitAvailability(1/tc.mttf, 1/tc.mttr)
			want := (1 - KofN(tc.k, tc.n, a)) * HoursPerYear
			sim := func(_, _ int, in *YearInput, out *YearOutcome) error {
				out.Downtime[0] = kofnDowntime(in.Seed, in.Rep, tc.k, tc.n, tc.mttf, tc.mttr)
				return nil
			}
			cfg := &Config{Incidents: []Incident{{"none", 0}}, Services: []string{"svc"}, Years: 4000, Seed: 3, Workers: 2}
			s := runOne(t, cfg, sim).Summarize(1)
			got := s.Service[0]
			if !covers(got.DowntimeHPerYear.CI95, want) {
				t.Errorf("downtime %+v h/yr, want %.3f h/yr (A = %.6f) in the interval", got.DowntimeHPerYear, want, 1-want/HoursPerYear)
			}
			if !covers(got.Availability.CI95, 1-want/HoursPerYear) {
				t.Errorf("availability %+v, want %.6f", got.Availability, 1-want/HoursPerYear)
			}
		})
	}
}

// kofnDowntime returns the hours in one year that fewer than k of n
// alternating-renewal units are up.
func kofnDowntime(seed, rep uint64, k, n int, mttf, mttr float64) float64 {
	r := sim.NewStream(seed, rep, 1)
	a := mttf / (mttf + mttr)
	up := make([]bool, n)
	next := make([]float64, n)
	nUp := 0
	for i := range n {
		up[i] = r.Float64() < a
		if up[i] {
			nUp++
			next[i] = r.ExpFloat64() * mttf
		} else {
			next[i] = r.ExpFloat64() * mttr
		}
	}
	now, down := 0.0, 0.0
	for {
		j := 0
		for i := range next {
			if next[i] < next[j] {
				j = i
			}
		}
		t := math.Min(next[j], HoursPerYear)
		if nUp < k {
			down += t - now
		}
		if next[j] >= HoursPerYear {
			return down
		}
		now = t
		up[j] = !up[j]
		if up[j] {
			nUp++
			next[j] = now + r.ExpFloat64()*mttf
		} else {
			nUp--
			next[j] = now + r.ExpFloat64()*mttr
		}
	}
}
