package risk

import (
	"math"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// ishigami is f(x) = sin x1 + a sin² x2 + b x3⁴ sin x1 on [−π, π]³, whose
// Sobol indices are known (Ishigami and Homma 1990; Saltelli et al. 2008):
//
//	V   = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2
//	V1  = (1 + bπ⁴/5)²/2,  V2 = a²/8,  V3 = 0
//	VT1 = V1 + 8b²π⁸/225,  VT2 = V2,   VT3 = 8b²π⁸/225
func ishigami(a, b float64) Model {
	return func(x []float64) ([]float64, error) {
		s1 := math.Sin(x[0])
		s2 := math.Sin(x[1])
		return []float64{s1 + a*s2*s2 + b*math.Pow(x[2], 4)*s1}, nil
	}
}

func TestSobolIshigami(t *testing.T) {
	const a, b = 7.0, 0.1
	pi4, pi8 := math.Pow(math.Pi, 4), math.Pow(math.Pi, 8)
	v := a*a/8 + b*pi4/5 + b*b*pi8/18 + 0.5
	v1 := (1 + b*pi4/5) * (1 + b*pi4/5) / 2
	v2 := a * a / 8.0
	vt3 := 8 * b * b * pi8 / 225
	wantS := []float64{v1 / v, v2 / v, 0}
	wantST := []float64{(v1 + vt3) / v, v2 / v, vt3 / v}
	// The values the issue quotes, as a check on the formulas above.
	for i, w := range []float64{0.3139, 0.4424, 0} {
		if math.Abs(wantS[i]-w) > 1e-4 {
			t.Fatalf("analytic S%d = %.5f, issue says %.4f", i+1, wantS[i], w)
		}
	}
	for i, w := range []float64{0.5576, 0.4424, 0.2437} {
		if math.Abs(wantST[i]-w) > 1e-4 {
			t.Fatalf("analytic ST%d = %.5f, issue says %.4f", i+1, wantST[i], w)
		}
	}
	u := sim.Dist{Kind: sim.Uniform, A: -math.Pi, B: math.Pi}
	s := &Sobol{Inputs: []Input{{"x1", u}, {"x2", u}, {"x3", u}}, Outputs: []string{"f"}, N: 4096, Seed: 5}
	res, err := s.Run(ishigami(a, b))
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Evaluations != 4096*5 {
		t.Errorf("evaluations = %d, want N(d+2) = %d", r.Evaluations, 4096*5)
	}
	for i, ix := range r.Indices {
		t.Logf("%s: S1 %.4f %v (want %.4f)  ST %.4f %v (want %.4f)", ix.Input, ix.First, ix.FirstC, wantS[i], ix.Total, ix.TotalC, wantST[i])
		if !ix.FirstC.Contains(wantS[i]) {
			t.Errorf("%s: first order %.4f %v, want %.4f in the interval", ix.Input, ix.First, ix.FirstC, wantS[i])
		}
		if !ix.TotalC.Contains(wantST[i]) {
			t.Errorf("%s: total order %.4f %v, want %.4f in the interval", ix.Input, ix.Total, ix.TotalC, wantST[i])
		}
		if w := ix.TotalC[1] - ix.TotalC[0]; w > 0.1 {
			t.Errorf("%s: total-order interval %v is too wide to test anything", ix.Input, ix.TotalC)
		}
	}
	if math.Abs(r.Variance-v)/v > 0.05 {
		t.Errorf("variance %.4f, want %.4f", r.Variance, v)
	}
}

// TestTornadoLinear checks swings on y = Σ c_i x_i, where input i's swing
// is |c_i|·(P90_i − P10_i) exactly, and the bars come largest first.
func TestTornadoLinear(t *testing.T) {
	inputs := []Input{
		{"freq", sim.LognormalMedianP95(0.5, 2)},
		{"cost", sim.Dist{Kind: sim.Uniform, A: 1, B: 3}},
		{"fixed", sim.Fixed(4)},
	}
	c := []float64{10, -1, 100}
	f := func(x []float64) ([]float64, error) {
		s := 0.0
		for i := range x {
			s += c[i] * x[i]
		}
		return []float64{s, 2 * s}, nil
	}
	tor, err := Tornadoes(inputs, []string{"y", "2y"}, f)
	if err != nil {
		t.Fatal(err)
	}
	wantOrder := []string{"freq", "cost", "fixed"}
	for o, tr := range tor {
		for k, bar := range tr.Bars {
			if bar.Input != wantOrder[k] {
				t.Errorf("%s: bar %d is %s, want %s", tr.Output, k, bar.Input, wantOrder[k])
			}
			i := map[string]int{"freq": 0, "cost": 1, "fixed": 2}[bar.Input]
			in := inputs[i]
			want := float64(o+1) * math.Abs(c[i]) * (in.At(0.9) - in.At(0.1))
			if math.Abs(bar.Swing-want) > 1e-9*math.Max(1, want) {
				t.Errorf("%s: %s swing %v, want %v", tr.Output, bar.Input, bar.Swing, want)
			}
		}
	}
}

// TestTwoLevelProbabilities uses inner results known in closed form: with
// f ~ uniform(0, 2), the baseline AAL is 10f, option "halve" has AAL 5f and
// costs 4 a year (NPV 5f − 4: positive when f > 0.8, probability 0.6), and
// option "fixed" removes 3 a year for 2 (NPV 1 always). "halve" is best when
// 5f − 4 > 1, i.e. with probability 0.5.
func TestTwoLevelProbabilities(t *testing.T) {
	tl := &TwoLevel{
		Inputs:  []Input{{"f", sim.Dist{Kind: sim.Uniform, A: 0, B: 2}}},
		Options: []string{"baseline", "halve", "fixed"},
		Outer:   400,
		Seed:    9,
		Inner: func(_ int, x []float64) ([]Estimate, error) {
			e := func(m float64) Estimate { return Estimate{Mean: m, CI95: Interval{m - 0.01, m + 0.01}, N: 1000} }
			return []Estimate{e(10 * x[0]), e(5 * x[0]), e(10*x[0] - 3)}, nil
		},
		NPV: func(o int, _ []float64, red float64) float64 { return red - []float64{0, 4, 2}[o] },
	}
	u, err := tl.Run()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ best, beats float64 }{{0, 0}, {0.5, 0.6}, {0.5, 1}}
	for o, ou := range u.Options {
		if !ou.PBest.CI95.Contains(want[o].best) {
			t.Errorf("%s: P(best) %+v, want %v", ou.Name, ou.PBest, want[o].best)
		}
		if !ou.PBeatsNothing.CI95.Contains(want[o].beats) {
			t.Errorf("%s: P(beats nothing) %+v, want %v", ou.Name, ou.PBeatsNothing, want[o].beats)
		}
	}
	// Latin hypercube: the mean of 10f over 400 strata is 10 to within a
	// fraction of a bin.
	if a := u.Options[0].AAL; math.Abs(a.Mean-10) > 0.01 || !a.CI95.Contains(10) {
		t.Errorf("baseline AAL over inputs %+v, want mean 10", a)
	}
	if n := u.Options[0].InnerNoise; !(n > 0 && n < 1e-3) {
		t.Errorf("inner noise share %v, want small and positive", n)
	}
}
