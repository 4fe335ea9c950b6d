package report

import (
	"fmt"
	"math"
)

// Sketch summarises non-negative values one at a time, in memory that
// grows with the range of their magnitudes, not their count, for charts
// of runs too large to keep every value: it counts values in bins
// SketchBinsPerDecade to a decade of magnitude (from 1e-9 up), plus zeros,
// +Inf and NaN, and keeps the exact count, sum, minimum and maximum.
// Sketches of disjoint parts of a sample (workers, shards) merge exactly.
//
// Its ECDF has the grid of ECDFOf, each quantile replaced by the upper
// edge of its bin (at most the maximum): a quantile is never below the
// exact one and at most SketchRelErr above it, relatively. Its Hist spreads
// each bin's count evenly over its width. The zero Sketch is empty and
// ready to use.
type Sketch struct {
	n, zeros, inf, nan int
	sum, lo, hi        float64
	top                float64 // the largest finite value
	first              int     // bin index of counts[0]
	counts             []int   // counts[i] is bin first+i
}

// SketchBinsPerDecade sets the sketch's resolution; SketchRelErr is the
// resulting bound on a quantile's relative error, 10^(1/128) - 1 ≈ 1.8 %.
const SketchBinsPerDecade = 128

var SketchRelErr = math.Pow(10, 1.0/SketchBinsPerDecade) - 1

// sketchMinExp is the decade of bin 0: positive values below 1e-9 fall in
// it.
const sketchMinExp = -9

func sketchBin(x float64) int {
	return max(0, int(math.Floor((math.Log10(x)-sketchMinExp)*SketchBinsPerDecade)))
}

func sketchEdge(b int) float64 {
	return math.Pow(10, sketchMinExp+float64(b)/SketchBinsPerDecade)
}

// Add counts x. It is an error for x to be negative or -Inf.
func (s *Sketch) Add(x float64) error {
	switch {
	case math.IsNaN(x):
		s.nan++
		return nil
	case x < 0:
		return fmt.Errorf("report: sketch value %v, want ≥ 0", x)
	}
	if s.n == 0 {
		s.lo, s.hi = x, x
	}
	s.n++
	s.lo, s.hi = min(s.lo, x), max(s.hi, x)
	switch {
	case x == 0:
		s.zeros++
		return nil
	case math.IsInf(x, 1):
		s.inf++
		return nil
	}
	s.sum += x
	s.top = max(s.top, x)
	s.bump(sketchBin(x), 1)
	return nil
}

// bump adds k to bin b, growing the window of bins as needed.
func (s *Sketch) bump(b, k int) {
	switch {
	case len(s.counts) == 0:
		s.first, s.counts = b, []int{0}
	case b < s.first:
		s.counts = append(make([]int, s.first-b), s.counts...)
		s.first = b
	case b >= s.first+len(s.counts):
		s.counts = append(s.counts, make([]int, b-s.first-len(s.counts)+1)...)
	}
	s.counts[b-s.first] += k
}

// Merge adds o's values to s.
func (s *Sketch) Merge(o *Sketch) {
	if o.n == 0 {
		s.nan += o.nan
		return
	}
	if s.n == 0 {
		s.lo, s.hi = o.lo, o.hi
	}
	s.n += o.n
	s.zeros += o.zeros
	s.inf += o.inf
	s.nan += o.nan
	s.sum += o.sum
	s.lo, s.hi = min(s.lo, o.lo), max(s.hi, o.hi)
	s.top = max(s.top, o.top)
	for i, c := range o.counts {
		if c > 0 {
			s.bump(o.first+i, c)
		}
	}
}

// N returns the number of values added, NaN left out.
func (s *Sketch) N() int { return s.n }

// ECDF returns the sketch's ECDF (see Sketch for its error).
func (s *Sketch) ECDF() ECDF {
	e := ECDF{N: s.n, Inf: s.inf, NaN: s.nan}
	if s.n == 0 {
		return e
	}
	k := min(s.n, ECDFPoints)
	e.Q = make([]float64, k+1)
	e.Q[0] = s.lo
	// The j-th smallest value (0-based), by walking zeros, bins, +Inf.
	b, below := 0, s.zeros // bin cursor; values in zeros and bins before b
	for i := 1; i <= k; i++ {
		j := (i*s.n+k-1)/k - 1
		switch {
		case j < s.zeros:
			e.Q[i] = 0
			continue
		case j >= s.n-s.inf:
			e.Q[i] = math.Inf(1)
			continue
		}
		for b < len(s.counts) && below+s.counts[b] <= j {
			below += s.counts[b]
			b++
		}
		e.Q[i] = min(sketchEdge(s.first+b+1), s.top)
	}
	return e
}

// Hist returns a histogram of the finite values with bins as HistOf
// chooses them (Freedman–Diaconis on the sketch's quantiles), each
// sketch bin's count spread evenly over its width; the mean is exact,
// P50 and P90 are the sketch's.
func (s *Sketch) Hist() Hist {
	fin := s.n - s.inf
	h := Hist{N: fin, Dropped: s.inf + s.nan, Mean: math.NaN(), P50: math.NaN(), P90: math.NaN()}
	if fin == 0 {
		return h
	}
	h.Mean = s.sum / float64(fin)
	e := s.ECDF()
	fq := func(p float64) float64 { return e.Quantile(p * float64(fin) / float64(s.n)) }
	h.P50, h.P90 = fq(0.5), fq(0.9)
	lo, hi := s.lo, s.top
	if hi <= lo {
		half := math.Max(math.Abs(lo)*0.05, 0.5)
		h.Min, h.Width, h.Counts = lo-half, 2*half, []float64{float64(fin)}
		return h
	}
	n := float64(fin)
	k := math.Ceil(math.Sqrt(n))
	if iqr := fq(0.75) - fq(0.25); iqr > 0 {
		k = math.Ceil((hi - lo) / (2 * iqr / math.Cbrt(n)))
	}
	k = min(max(k, 5), 60)
	h.Min, h.Width = lo, (hi-lo)/k
	h.Counts = make([]float64, int(k))
	h.Counts[0] += float64(s.zeros)
	for i, c := range s.counts {
		if c == 0 {
			continue
		}
		a, b := max(sketchEdge(s.first+i), lo), min(sketchEdge(s.first+i+1), hi)
		if b <= a {
			h.Counts[min(int((a-lo)/h.Width), len(h.Counts)-1)] += float64(c)
			continue
		}
		for j := min(int((a-lo)/h.Width), len(h.Counts)-1); j < len(h.Counts); j++ {
			x0, x1 := lo+float64(j)*h.Width, lo+float64(j+1)*h.Width
			if j == len(h.Counts)-1 {
				x1 = math.Inf(1)
			}
			if x0 >= b {
				break
			}
			h.Counts[j] += float64(c) * (min(b, x1) - max(a, x0)) / (b - a)
		}
	}
	return h
}

// SketchOf returns the sketch of values.
func SketchOf(values []float64) (*Sketch, error) {
	s := &Sketch{}
	for _, v := range values {
		if err := s.Add(v); err != nil {
			return nil, err
		}
	}
	return s, nil
}
