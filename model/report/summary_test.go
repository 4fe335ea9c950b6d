package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestECDFBound checks the documented bound drawn(x) ≤ F(x) < drawn(x) + 1/K
// against the empirical CDF, at every sample value and between them, for
// samples smaller and larger than the grid, with ties, zeros and +Inf.
func TestECDFBound(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 7, 1000, 1001, 25_000} {
		vs := make([]float64, n)
		for i := range vs {
			switch u := r.Float64(); {
			case u < 0.05:
				vs[i] = 0
			case u < 0.08:
				vs[i] = math.Inf(1)
			case u < 0.2:
				vs[i] = math.Round(r.Float64() * 10) // ties
			default:
				vs[i] = math.Exp(3 * r.NormFloat64())
			}
		}
		e, err := ECDFOf(vs)
		if err != nil {
			t.Fatal(err)
		}
		k := float64(len(e.Q) - 1)
		if len(e.Q)-1 != min(n, ECDFPoints) {
			t.Errorf("n=%d: %d grid steps, want %d", n, len(e.Q)-1, min(n, ECDFPoints))
		}
		sorted := slices.Clone(vs)
		slices.Sort(sorted)
		F := func(x float64) float64 {
			i, _ := slices.BinarySearchFunc(sorted, x, func(v, x float64) int {
				if v <= x {
					return -1
				}
				return 1
			})
			return float64(i) / float64(n)
		}
		probes := append(slices.Clone(sorted), -1, 1e-9, 0.5, 3.3, 1e9)
		for _, x := range probes {
			if math.IsInf(x, 1) {
				continue
			}
			d, f := e.At(x), F(x)
			if d > f+1e-12 || f >= d+1/k+1e-12 {
				t.Fatalf("n=%d x=%v: drawn %v, empirical %v, K=%v", n, x, d, f, k)
			}
			if n <= ECDFPoints && math.Abs(d-f) > 1e-12 {
				t.Fatalf("n=%d ≤ %d x=%v: drawn %v ≠ empirical %v", n, ECDFPoints, x, d, f)
			}
		}
	}
}

func TestECDFRejectsNegative(t *testing.T) {
	if _, err := ECDFOf([]float64{1, -0.5}); err == nil {
		t.Error("negative time accepted")
	}
	e, err := ECDFOf([]float64{math.NaN(), 2})
	if err != nil || e.N != 1 || e.NaN != 1 {
		t.Errorf("NaN: %+v, %v", e, err)
	}
}

func TestHistOf(t *testing.T) {
	vs := sampleHistogram()
	vs = append(vs, math.NaN(), math.Inf(1))
	h := HistOf(vs)
	var sum float64
	for _, c := range h.Counts {
		sum += c
	}
	if int(sum) != len(vs)-2 || h.N != len(vs)-2 || h.Dropped != 2 {
		t.Errorf("counts %v, N %d, dropped %d; want %d and 2", sum, h.N, h.Dropped, len(vs)-2)
	}
	if n := len(h.Counts); n < 5 || n > 60 {
		t.Errorf("%d bins", n)
	}
	if !(h.P50 < h.P90) || !(h.Mean > 0) {
		t.Errorf("stats %+v", h)
	}
}

// TestChartSizeIndependentOfN is the point of the summaries: the SVG of a
// recovery CDF and of a histogram is about as large at 200,000
// replications as at 2,000.
func TestChartSizeIndependentOfN(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	size := func(n int) (cdf, hist int) {
		var series []CDFSeries
		for s := range 13 {
			vs := make([]float64, n)
			for i := range vs {
				vs[i] = float64(s+1) * math.Exp(0.5*r.NormFloat64())
			}
			series = append(series, CDFSeries{Label: "svc", Values: vs})
		}
		b, err := NewRecoveryCDF("t", series).SVG()
		if err != nil {
			t.Fatal(err)
		}
		h, err := NewHistogram("t", "x", series[0].Values).SVG()
		if err != nil {
			t.Fatal(err)
		}
		return len(b), len(h)
	}
	c1, h1 := size(2000)
	c2, h2 := size(200_000)
	t.Logf("CDF SVG %d → %d bytes, histogram %d → %d bytes", c1, c2, h1, h2)
	if c2 > 2*c1 || c2 > 1<<20 {
		t.Errorf("CDF SVG grows with n: %d bytes at 2,000, %d at 200,000", c1, c2)
	}
	if h2 > 2*h1 {
		t.Errorf("histogram SVG grows with n: %d → %d bytes", h1, h2)
	}
}

// TestSVGDrawnOnce checks that copies of a chart share one drawing.
func TestSVGDrawnOnce(t *testing.T) {
	c := NewHistogram("t", "x", sampleHistogram())
	a, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	d := c
	b, _ := d.SVG()
	if &a[0] != &b[0] {
		t.Error("a copy of the chart drew its SVG again")
	}
	d.WidthIn = 6
	e, _ := d.SVG()
	if &e[0] == &a[0] {
		t.Error("a resized chart reused the old drawing")
	}
}

// TestSketch checks the sketch against the exact ECDF: each quantile is at
// least the exact one and at most SketchRelErr above it; zeros and +Inf
// are exact; merging halves gives the sketch of the whole; the histogram
// holds every finite value.
func TestSketch(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	vs := make([]float64, 50_000)
	for i := range vs {
		switch u := r.Float64(); {
		case u < 0.03:
			vs[i] = 0
		case u < 0.05:
			vs[i] = math.Inf(1)
		case u < 0.06:
			vs[i] = math.NaN()
		default:
			vs[i] = 20 * math.Exp(1.2*r.NormFloat64())
		}
	}
	exact, _ := ECDFOf(vs)
	s, err := SketchOf(vs)
	if err != nil {
		t.Fatal(err)
	}
	got := s.ECDF()
	if got.N != exact.N || got.Inf != exact.Inf || got.NaN != exact.NaN || len(got.Q) != len(exact.Q) {
		t.Fatalf("sketch ECDF %d/%d/%d with %d points, exact %d/%d/%d with %d", got.N, got.Inf, got.NaN, len(got.Q), exact.N, exact.Inf, exact.NaN, len(exact.Q))
	}
	for i := range got.Q {
		g, w := got.Q[i], exact.Q[i]
		if math.IsInf(w, 1) || w == 0 {
			if g != w {
				t.Errorf("Q[%d] = %v, exact %v", i, g, w)
			}
			continue
		}
		if g < w || g > w*(1+SketchRelErr)*(1+1e-12) {
			t.Errorf("Q[%d] = %v, exact %v: outside [exact, exact·(1+%.4f)]", i, g, w, SketchRelErr)
		}
	}
	var a, b Sketch
	for i, v := range vs {
		if i%2 == 0 {
			a.Add(v)
		} else {
			b.Add(v)
		}
	}
	a.Merge(&b)
	if m := a.ECDF(); !slices.Equal(m.Q, got.Q) || m.N != got.N {
		t.Error("merged halves differ from the whole")
	}
	h := s.Hist()
	var sum float64
	for _, c := range h.Counts {
		sum += c
	}
	if math.Abs(sum-float64(h.N)) > 1e-6*float64(h.N) || h.N != exact.N-exact.Inf {
		t.Errorf("histogram holds %v of %d finite values", sum, h.N)
	}
	if err := h.check(); err != nil {
		t.Error(err)
	}
	if err := (&Sketch{}).Add(-1); err == nil {
		t.Error("negative value accepted")
	}
}

// TestCDFSameCurvesNamed: a curve identical to an earlier one is named in
// the legend as the same, not drawn over it.
func TestCDFSameCurvesNamed(t *testing.T) {
	vs := []float64{1, 2, 3, 5, 8}
	svg, err := NewRecoveryCDF("t", []CDFSeries{{Label: "baseline", Values: vs}, {Label: "drills", Values: []float64{1, 1, 2}}, {Label: "headroom", Values: vs}}).SVG()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "headroom (same as baseline)") {
		t.Error("the identical curve is not named as the same")
	}
}
