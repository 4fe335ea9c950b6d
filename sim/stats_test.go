package sim_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// checkClose fails unless got is within tol of want, absolutely or
// relative to |want|, whichever is larger.
func checkClose(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))) {
		t.Errorf("%s = %.10g, want %.10g (tolerance %g)", what, got, want, tol)
	}
}

// TestQuantileType7 checks Quantile against values worked by hand with
//
//	h = (n-1)·p;  Q = x[⌊h⌋] + (h-⌊h⌋)·(x[⌊h⌋+1] - x[⌊h⌋])
//
// (which NumPy's default and R's type 7 also give).
func TestQuantileType7(t *testing.T) {
	x := []float64{2, 3, 5, 7, 11}
	for _, c := range []struct{ p, want float64 }{
		{0, 2},
		{0.25, 3},     // h = 1
		{0.3, 3.4},    // h = 1.2: 3 + 0.2·2
		{0.5, 5},      // h = 2
		{0.9, 9.4},    // h = 3.6: 7 + 0.6·4
		{0.99, 10.84}, // h = 3.96: 7 + 0.96·4
		{1, 11},
		{-0.5, 2}, // clamped
		{1.5, 11},
	} {
		checkClose(t, "Quantile(x, p)", sim.Quantile(x, c.p), c.want, 1e-12)
	}
	// Ten values 1..10: p10 at h = 0.9.
	ten := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	checkClose(t, "p10 of 1..10", sim.Quantile(ten, 0.1), 1.9, 1e-12)
	checkClose(t, "p99 of 1..10", sim.Quantile(ten, 0.99), 9.91, 1e-12)
	for _, p := range []float64{0, 0.3, 1} {
		if q := sim.Quantile([]float64{4.5}, p); q != 4.5 {
			t.Errorf("Quantile of one value at %v = %v", p, q)
		}
	}
	if q := sim.Quantile(nil, 0.5); !math.IsNaN(q) {
		t.Errorf("Quantile(nil) = %v, want NaN", q)
	}
	// A NaN p used to index with int(NaN) and panic.
	if q := sim.Quantile(x, math.NaN()); !math.IsNaN(q) {
		t.Errorf("Quantile(x, NaN) = %v, want NaN", q)
	}
}

// TestMomentsMatchTwoPass compares the one-pass Welford accumulation with
// the textbook two-pass formulas, on data whose mean is large against its
// spread (where the naive sum-of-squares formula fails).
func TestMomentsMatchTwoPass(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, offset := range []float64{0, 1e3, 1e9} {
		xs := make([]float64, 1000)
		var m sim.Moments
		for i := range xs {
			xs[i] = offset + r.NormFloat64()*3
			m.Add(xs[i])
		}
		var sum float64
		for _, x := range xs {
			sum += x
		}
		mean := sum / float64(len(xs))
		var ss float64
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		v := ss / float64(len(xs)-1)
		if m.N != len(xs) {
			t.Fatalf("N = %d", m.N)
		}
		checkClose(t, "mean", m.Mean, mean, 1e-14)
		checkClose(t, "variance", m.Var(), v, 1e-8)
		checkClose(t, "standard error", m.StdErr(), math.Sqrt(v/1000), 1e-8)
	}
	var m sim.Moments
	if m.Var() != 0 || m.StdErr() != 0 {
		t.Error("empty Moments has spread")
	}
	if lo, hi := m.CI(0.95); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("CI of no data = [%v, %v], want NaN", lo, hi)
	}
	m.Add(3)
	if lo, hi := m.CI(0.95); lo != 3 || hi != 3 || m.Var() != 0 {
		t.Errorf("CI of one value = [%v, %v], want [3, 3]", lo, hi)
	}
}

// TestCIStudentT checks CI's half-width against tabulated Student-t
// quantiles: t_{0.975, 9} = 2.262157, t_{0.995, 9} = 3.249836,
// t_{0.975, 30} = 2.042272.
func TestCIStudentT(t *testing.T) {
	for _, c := range []struct {
		n     int
		level float64
		t     float64
	}{{10, 0.95, 2.262157}, {10, 0.99, 3.249836}, {31, 0.95, 2.042272}} {
		var m sim.Moments
		for i := range c.n {
			m.Add(float64(i*i%7) + 0.5)
		}
		lo, hi := m.CI(c.level)
		checkClose(t, "CI centre", (lo+hi)/2, m.Mean, 1e-14)
		checkClose(t, "t from CI half-width", (hi-lo)/2/m.StdErr(), c.t, 1e-6)
	}
}

func TestSummarize(t *testing.T) {
	xs := []float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}
	orig := slices.Clone(xs)
	s := sim.Summarize(xs)
	if !slices.Equal(xs, orig) {
		t.Error("Summarize reordered its input")
	}
	if s.N != 10 || s.Mean != 5.5 {
		t.Errorf("N, Mean = %d, %v", s.N, s.Mean)
	}
	// s² of 1..10 is 55/6; half-width t_{0.975,9}·s/√10.
	h := 2.262157 * math.Sqrt(55.0/6/10)
	checkClose(t, "ci95 lo", s.CI95[0], 5.5-h, 1e-6)
	checkClose(t, "ci95 hi", s.CI95[1], 5.5+h, 1e-6)
	checkClose(t, "p10", s.P10, 1.9, 1e-12)
	checkClose(t, "p50", s.P50, 5.5, 1e-12)
	checkClose(t, "p90", s.P90, 9.1, 1e-12)
	checkClose(t, "p99", s.P99, 9.91, 1e-12)

	var smp sim.Sample
	for _, x := range xs {
		smp.Add(x)
	}
	if !slices.Equal(smp.Values(), xs) || smp.Stat() != s || smp.N != 10 || smp.Mean != 5.5 {
		t.Errorf("Sample: values %v, stat %+v", smp.Values(), smp.Stat())
	}
}

func TestPairedDiff(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	a := make([]float64, 500)
	for i := range a {
		a[i] = r.ExpFloat64() * 1e4
	}
	d := sim.PairedDiff(a, slices.Clone(a))
	if d.Mean != 0 || d.CI95 != [2]float64{0, 0} || d.N != 500 {
		t.Errorf("PairedDiff of identical series = %+v, want exactly zero", d)
	}
	// b = a - 2 exactly (small integers): a constant difference has a
	// zero-width interval around it.
	ai := []float64{5, 7, 11, 13, 17}
	bi := []float64{3, 5, 9, 11, 15}
	if d := sim.PairedDiff(ai, bi); d.Mean != 2 || d.CI95 != [2]float64{2, 2} {
		t.Errorf("PairedDiff with constant difference 2 = %+v", d)
	}
	// Otherwise it is the CI of the differences.
	bi[0] = 0
	var m sim.Moments
	for i := range ai {
		m.Add(ai[i] - bi[i])
	}
	lo, hi := m.CI(0.95)
	if d := sim.PairedDiff(ai, bi); d.Mean != m.Mean || d.CI95 != [2]float64{lo, hi} || d.N != 5 {
		t.Errorf("PairedDiff = %+v, want mean %v CI [%v, %v]", d, m.Mean, lo, hi)
	}
	defer func() {
		if msg, _ := recover().(string); !strings.HasPrefix(msg, "sim: ") {
			t.Errorf("unequal lengths: panic %q, want a \"sim: \" message", msg)
		}
	}()
	sim.PairedDiff(ai, bi[:4])
}

// distCases covers every kind, with shapes on both sides of 1 for Weibull
// and an asymmetric triangle.
var distCases = []struct {
	name string
	d    sim.Dist
}{
	{"const", sim.Fixed(3)},
	{"exponential", sim.Exp(2)},
	{"lognormal", sim.LognormalMedianP95(4, 20)},
	{"weibull k<1", sim.Dist{Kind: sim.Weibull, A: 0.7, B: 10}},
	{"weibull k>1", sim.Dist{Kind: sim.Weibull, A: 2.5, B: 10}},
	{"uniform", sim.Dist{Kind: sim.Uniform, A: 2, B: 5}},
	{"triangular", sim.Dist{Kind: sim.Triangular, A: 1, B: 2, C: 6}},
	{"triangular mode at max", sim.Dist{Kind: sim.Triangular, A: 1, B: 6, C: 6}},
}

// TestDistSampleMatchesMeanAndQuantile draws n values from each
// distribution with a seeded PCG and checks them against Mean and Quantile
// with explicit statistical tolerances:
//
//	|mean(x) - Mean()| ≤ 5·sd(x)/√n
//	|#{x ≤ Quantile(p)}/n - p| ≤ 5·√(p(1-p)/n)
//
// The second is distribution-free (the count is Binomial(n, p)), so it
// tests Quantile and Sample against each other at every p without a
// density. Five standard errors make a false failure a ~1e-6 event.
func TestDistSampleMatchesMeanAndQuantile(t *testing.T) {
	const n = 200000
	r := rand.New(rand.NewPCG(2022, 10))
	xs := make([]float64, n)
	for _, c := range distCases {
		var m sim.Moments
		for i := range xs {
			xs[i] = c.d.Sample(r)
			m.Add(xs[i])
		}
		slices.Sort(xs)
		if tol := 5 * math.Sqrt(m.Var()/n); math.Abs(m.Mean-c.d.Mean()) > tol {
			t.Errorf("%s: sample mean %.5g, Mean() %.5g, tolerance %.3g", c.name, m.Mean, c.d.Mean(), tol)
		}
		for _, p := range []float64{0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99} {
			q := c.d.Quantile(p)
			below := float64(sortedCountLE(xs, q)) / n
			if c.d.Kind == sim.Const {
				if below != 1 {
					t.Errorf("%s: samples other than %v", c.name, q)
				}
				continue
			}
			if tol := 5 * math.Sqrt(p*(1-p)/n); math.Abs(below-p) > tol {
				t.Errorf("%s: %.4f of samples ≤ Quantile(%v) = %.4g, want %v ± %.4f", c.name, below, p, q, p, tol)
			}
		}
		lo, hi := c.d.Quantile(0), c.d.Quantile(1)
		if xs[0] < lo || xs[n-1] > hi {
			t.Errorf("%s: samples [%v, %v] outside support [%v, %v]", c.name, xs[0], xs[n-1], lo, hi)
		}
	}
}

// sortedCountLE returns how many of the sorted xs are ≤ q.
func sortedCountLE(xs []float64, q float64) int {
	i, _ := slices.BinarySearchFunc(xs, q, func(x, q float64) int {
		if x <= q {
			return -1
		}
		return 1
	})
	return i
}

func TestDistKnownValues(t *testing.T) {
	checkClose(t, "exponential median", sim.Exp(2).Quantile(0.5), 2*math.Ln2, 1e-14)
	checkClose(t, "weibull(k=1) mean", sim.Dist{Kind: sim.Weibull, A: 1, B: 3}.Mean(), 3, 1e-14)
	checkClose(t, "weibull(k=2) mean", sim.Dist{Kind: sim.Weibull, A: 2, B: 1}.Mean(), math.Sqrt(math.Pi)/2, 1e-14)
	checkClose(t, "weibull 1-1/e quantile is the scale", sim.Dist{Kind: sim.Weibull, A: 0.7, B: 10}.Quantile(1-1/math.E), 10, 1e-12)
	tri := sim.Dist{Kind: sim.Triangular, A: 1, B: 2, C: 6}
	checkClose(t, "triangular mean", tri.Mean(), 3, 1e-14)
	checkClose(t, "triangular F(mode)", tri.Quantile(0.2), 2, 1e-14) // (2-1)/(6-1)
	checkClose(t, "triangular median", tri.Quantile(0.5), 6-math.Sqrt(0.5*5*4), 1e-14)
	if q := (sim.Dist{Kind: sim.Triangular, A: 4, B: 4, C: 4}).Quantile(0.3); q != 4 {
		t.Errorf("degenerate triangle quantile %v, want 4", q)
	}
}

func TestLognormalMedianP95(t *testing.T) {
	for _, c := range [][2]float64{{4, 20}, {0.5, 0.6}, {100, 100}, {2, 2000}} {
		d := sim.LognormalMedianP95(c[0], c[1])
		checkClose(t, "median", d.Quantile(0.5), c[0], 1e-12)
		checkClose(t, "p95", d.Quantile(0.95), c[1], 1e-9)
	}
	if s := sim.LognormalMedianP95(4, 20).String(); s != "lognormal(median=4, p95=20)" {
		t.Errorf("String() = %q", s)
	}
}

// TestDistScale checks that Scale(f) multiplies every quantile and the
// mean by f, for every kind.
func TestDistScale(t *testing.T) {
	for _, c := range distCases {
		for _, f := range []float64{0.25, 3} {
			s := c.d.Scale(f)
			if s.Kind != c.d.Kind {
				t.Fatalf("%s: Scale changed the kind", c.name)
			}
			checkClose(t, c.name+" scaled mean", s.Mean(), f*c.d.Mean(), 1e-12)
			for _, p := range []float64{0, 0.1, 0.5, 0.9, 0.999} {
				checkClose(t, c.name+" scaled quantile", s.Quantile(p), f*c.d.Quantile(p), 1e-12)
			}
		}
	}
}

func TestDistStrings(t *testing.T) {
	for _, c := range []struct {
		d    sim.Dist
		want string
	}{
		{sim.Fixed(3), "const(3)"},
		{sim.Exp(2), "exponential(mean=2)"},
		{sim.Dist{Kind: sim.Weibull, A: 0.7, B: 10}, "weibull(k=0.7, scale=10)"},
		{sim.Dist{Kind: sim.Uniform, A: 2, B: 5}, "uniform(2, 5)"},
		{sim.Dist{Kind: sim.Triangular, A: 1, B: 2, C: 6}, "triangular(1, 2, 6)"},
		{sim.Dist{Kind: 9}, "DistKind(9)"},
	} {
		if got := c.d.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
	if sim.Weibull.String() != "weibull" {
		t.Errorf("Weibull.String() = %q", sim.Weibull.String())
	}
}

func TestDistSampleUnknownKindPanics(t *testing.T) {
	defer func() {
		if msg, _ := recover().(string); !strings.HasPrefix(msg, "sim: ") {
			t.Errorf("panic %q, want a \"sim: \" message", msg)
		}
	}()
	sim.Dist{Kind: 42}.Sample(rand.New(rand.NewPCG(1, 1)))
}

func TestDistSampleAllocatesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, c := range distCases {
		if a := testing.AllocsPerRun(100, func() { c.d.Sample(r) }); a != 0 {
			t.Errorf("%s: Sample allocates %v times", c.name, a)
		}
	}
}
