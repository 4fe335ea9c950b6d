package report

import (
	"fmt"
	"math"
	"slices"

	"github.com/dcsim/dcsim/sim"
)

// Charts are drawn from fixed-size summaries of the replications, never
// from the replications themselves, so a chart's file size and drawing
// time do not grow with the replication count: an ECDF holds at most
// ECDFPoints+1 quantiles, a Hist at most 60 bins.

// ECDFPoints is the number of probability steps of an ECDF built from
// more values than that: its quantile grid is 0, 1/1000, …, 1.
const ECDFPoints = 1000

// ECDF summarises a sample's empirical distribution by its inverse on a
// grid of probabilities. With K = len(Q) - 1,
//
//	Q[i] = min{x : F(x) ≥ i/K},  i = 1..K;  Q[0] = min of the sample,
//
// where F is the empirical CDF over the N values (NaN left out; +Inf, "never
// recovered", counted). The step curve through (Q[i], i/K) is then within
// 1/K of F everywhere: drawn(x) ≤ F(x) < drawn(x) + 1/K. K is the sample
// size when that is at most ECDFPoints, so small samples are drawn exactly.
type ECDF struct {
	// N counts the values summarised; Inf of them are +Inf and NaN values
	// were left out (not counted in N).
	N, Inf, NaN int
	// Q is the quantile grid, non-decreasing; +Inf beyond the fraction of
	// finite values.
	Q []float64
}

// ECDFOf returns the ECDF of values (one sort of a copy: O(n log n) time,
// O(n) transient memory). It is an error for a value to be negative or
// -Inf.
func ECDFOf(values []float64) (ECDF, error) {
	xs := make([]float64, 0, len(values))
	var e ECDF
	for i, v := range values {
		switch {
		case math.IsNaN(v):
			e.NaN++
			continue
		case v < 0:
			return ECDF{}, fmt.Errorf("value %d is %v, want ≥ 0", i, v)
		case math.IsInf(v, 1):
			e.Inf++
		}
		xs = append(xs, v)
	}
	sim.SortFloats(xs)
	return ecdfOfSorted(xs, e.Inf, e.NaN), nil
}

// ecdfOfSorted builds the grid from sorted non-NaN values.
func ecdfOfSorted(xs []float64, inf, nan int) ECDF {
	n := len(xs)
	e := ECDF{N: n, Inf: inf, NaN: nan}
	if n == 0 {
		return e
	}
	k := min(n, ECDFPoints)
	e.Q = make([]float64, k+1)
	e.Q[0] = xs[0]
	for i := 1; i <= k; i++ {
		// The smallest j with (j+1)/n ≥ i/k, in integers: j = ceil(i·n/k) - 1.
		j := (i*n+k-1)/k - 1
		e.Q[i] = xs[j]
	}
	return e
}

// Quantile returns the type-1 quantile at p (0 ≤ p ≤ 1) on the grid: the
// smallest grid value whose probability is at least p.
func (e ECDF) Quantile(p float64) float64 {
	if len(e.Q) == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	k := len(e.Q) - 1
	i := int(math.Ceil(min(max(p, 0), 1)*float64(k) - 1e-9))
	return e.Q[max(i, 0)]
}

// At returns the drawn CDF at x: the largest i/K with Q[i] ≤ x, within
// 1/K below the empirical F(x).
func (e ECDF) At(x float64) float64 {
	if len(e.Q) == 0 {
		return math.NaN()
	}
	k := len(e.Q) - 1
	// Q is sorted: count the grid points ≤ x, less the p = 0 one.
	i, _ := slices.BinarySearchFunc(e.Q, x, func(q, x float64) int {
		if q <= x {
			return -1
		}
		return 1
	})
	return float64(max(i-1, 0)) / float64(k)
}

// check reports a malformed ECDF (one not built by ECDFOf).
func (e ECDF) check() error {
	if e.N == 0 || len(e.Q) < 2 {
		return fmt.Errorf("no values")
	}
	for i, q := range e.Q {
		if math.IsNaN(q) || q < 0 {
			return fmt.Errorf("quantile %d is %v, want ≥ 0", i, q)
		}
		if i > 0 && q < e.Q[i-1] {
			return fmt.Errorf("quantiles decrease at %d", i)
		}
	}
	return nil
}

// Hist is a histogram of a sample in at most 60 equal bins from Min to
// Min + len(Counts)·Width, with the sample's mean and type-7 P50 and P90
// (as in summary.json). Values that are NaN or infinite are left out and
// counted in Dropped.
type Hist struct {
	Min, Width float64
	Counts     []float64
	// N is the number of finite values binned.
	N, Dropped     int
	Mean, P50, P90 float64
}

// HistOf returns the histogram of values with bins by the Freedman–Diaconis
// rule, width 2·IQR/n^(1/3), between 5 and 60 of them.
func HistOf(values []float64) Hist {
	xs := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			xs = append(xs, v)
		}
	}
	h := Hist{N: len(xs), Dropped: len(values) - len(xs)}
	if len(xs) == 0 {
		h.Mean, h.P50, h.P90 = math.NaN(), math.NaN(), math.NaN()
		return h
	}
	slices.Sort(xs)
	var sum float64
	for _, x := range xs {
		sum += x
	}
	h.Mean = sum / float64(len(xs))
	h.P50, h.P90 = sim.Quantile(xs, 0.5), sim.Quantile(xs, 0.9)
	bins, width := histBins(xs)
	h.Min, h.Width = bins[0].Min, width
	h.Counts = make([]float64, len(bins))
	for i, b := range bins {
		h.Counts[i] = b.Weight
	}
	return h
}

func (h Hist) check() error {
	if h.N == 0 || len(h.Counts) == 0 {
		return fmt.Errorf("no finite values (of %d)", h.N+h.Dropped)
	}
	if len(h.Counts) > 200 {
		return fmt.Errorf("%d bins, at most 200", len(h.Counts))
	}
	for what, x := range map[string]float64{"min": h.Min, "width": h.Width, "mean": h.Mean, "P50": h.P50, "P90": h.P90} {
		if err := checkFinite(what, x); err != nil {
			return err
		}
	}
	if !(h.Width > 0) {
		return fmt.Errorf("bin width %v, want > 0", h.Width)
	}
	for i, c := range h.Counts {
		if !(c >= 0) || math.IsInf(c, 0) {
			return fmt.Errorf("bin %d count %v", i, c)
		}
	}
	return nil
}
