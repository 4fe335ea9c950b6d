package risk

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
	"gonum.org/v1/gonum/stat/samplemv"

	"github.com/dcsim/dcsim/sim"
)

// Model evaluates the outputs of interest (e.g. the baseline AAL, the
// 100-year loss, an option's NPV) at one point x of the inputs.
type Model func(x []float64) ([]float64, error)

// TornadoBar is one input's swing: the output with that input at its P10
// and at its P90, every other input at its median.
type TornadoBar struct {
	Input string  `json:"input"`
	X10   float64 `json:"x_p10"` // the input's P10
	X90   float64 `json:"x_p90"`
	Low   float64 `json:"output_at_p10"`
	High  float64 `json:"output_at_p90"`
	Swing float64 `json:"swing"` // |High − Low|
}

// Tornado is one output's tornado: the output at all medians and the bars,
// largest swing first.
type Tornado struct {
	Output string       `json:"output"`
	Base   float64      `json:"base"`
	Bars   []TornadoBar `json:"bars"`
}

// Tornadoes evaluates f at the medians and, for each input, at its P10 and
// P90 with the others at their medians: 1 + 2d evaluations. It returns one
// tornado per output.
func Tornadoes(inputs []Input, outputs []string, f Model) ([]Tornado, error) {
	med := Medians(inputs)
	base, err := eval(f, med, len(outputs))
	if err != nil {
		return nil, fmt.Errorf("at the medians: %w", err)
	}
	out := make([]Tornado, len(outputs))
	for o, name := range outputs {
		out[o] = Tornado{Output: name, Base: base[o]}
	}
	x := slices.Clone(med)
	for i, in := range inputs {
		x10, x90 := in.At(0.10), in.At(0.90)
		x[i] = x10
		lo, err := eval(f, x, len(outputs))
		if err != nil {
			return nil, fmt.Errorf("%s at its P10: %w", in.Name, err)
		}
		x[i] = x90
		hi, err := eval(f, x, len(outputs))
		if err != nil {
			return nil, fmt.Errorf("%s at its P90: %w", in.Name, err)
		}
		x[i] = med[i]
		for o := range outputs {
			out[o].Bars = append(out[o].Bars, TornadoBar{
				Input: in.Name, X10: x10, X90: x90, Low: lo[o], High: hi[o], Swing: math.Abs(hi[o] - lo[o]),
			})
		}
	}
	for o := range out {
		slices.SortStableFunc(out[o].Bars, func(a, b TornadoBar) int { return cmp.Compare(b.Swing, a.Swing) })
	}
	return out, nil
}

func eval(f Model, x []float64, nOut int) ([]float64, error) {
	y, err := f(slices.Clone(x))
	if err != nil {
		return nil, err
	}
	if len(y) != nOut {
		return nil, fmt.Errorf("model returned %d outputs, want %d", len(y), nOut)
	}
	for _, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("model returned %v", v)
		}
	}
	return y, nil
}

// SobolIndex is one input's variance-based indices for one output.
type SobolIndex struct {
	Input  string   `json:"input"`
	First  float64  `json:"first_order"`
	FirstC Interval `json:"first_order_ci95"`
	Total  float64  `json:"total_order"`
	TotalC Interval `json:"total_order_ci95"`
}

// SobolResult holds the indices of one output.
type SobolResult struct {
	Output      string       `json:"output"`
	Variance    float64      `json:"variance"`
	N           int          `json:"n"`           // base sample size
	Evaluations int          `json:"evaluations"` // N·(d+2)
	Indices     []SobolIndex `json:"indices"`
}

// Sobol estimates first- and total-order Sobol indices.
//
// Sampling follows Saltelli et al. (2010): two independent N×d matrices A
// and B of input points (the two halves of a 2d-dimensional scrambled
// Halton sequence, gonum samplemv.Halton with Owen's scrambling, mapped
// through each input's quantile function), and for each input i the matrix
// AB_i, which is A with column i taken from B; N·(d+2) evaluations in all.
// With V = Var(Y) over f(A) and f(B):
//
//	first order (Saltelli 2010):   S_i  = (1/N) Σ_j f(B)_j (f(AB_i)_j − f(A)_j) / V
//	total order (Jansen 1999):     ST_i = (1/2N) Σ_j (f(A)_j − f(AB_i)_j)² / V
//
// the pair Saltelli et al. recommend. Intervals are percentile bootstrap
// intervals over B resamples of the N rows (the rows of A, B and every AB_i
// resampled together), from a PCG stream fixed by Seed.
type Sobol struct {
	Inputs  []Input
	Outputs []string
	N       int    // base sample size, ≥ 2
	Seed    uint64 //
	Boot    int    // bootstrap resamples; 0 means 500
}

// streamSobol is the stream id of the Sobol design's scrambling.
const streamSobol = 0x736f_626f_6c00 // "sobol"

// Run evaluates f N·(d+2) times and returns one result per output.
func (s *Sobol) Run(f Model) ([]SobolResult, error) {
	d := len(s.Inputs)
	if d == 0 || s.N < 2 {
		return nil, errors.New("Sobol indices need at least one input and N ≥ 2")
	}
	if 2*d > 1000 {
		return nil, fmt.Errorf("Sobol indices of %d inputs: at most 500", d)
	}
	nOut := len(s.Outputs)
	u := mat.NewDense(s.N, 2*d, nil)
	samplemv.Halton{
		Kind: samplemv.Owen,
		Q:    distmv.NewUnitUniform(2*d, nil),
		Src:  rand.NewPCG(sim.StreamSeed(s.Seed, 0, streamSobol)),
	}.Sample(u)
	point := func(j int, col func(i int) int) []float64 {
		x := make([]float64, d)
		for i, in := range s.Inputs {
			x[i] = in.At(u.At(j, col(i)))
		}
		return x
	}
	// y[m][j][o]: matrix m (0 = A, 1 = B, 2+i = AB_i), row j, output o.
	y := make([][][]float64, d+2)
	for m := range y {
		y[m] = make([][]float64, s.N)
		for j := range s.N {
			var x []float64
			switch {
			case m == 0:
				x = point(j, func(i int) int { return i })
			case m == 1:
				x = point(j, func(i int) int { return d + i })
			default:
				k := m - 2
				x = point(j, func(i int) int {
					if i == k {
						return d + i
					}
					return i
				})
			}
			v, err := eval(f, x, nOut)
			if err != nil {
				return nil, fmt.Errorf("Sobol point %d: %w", m*s.N+j, err)
			}
			y[m][j] = v
		}
	}
	boot := s.Boot
	if boot == 0 {
		boot = 500
	}
	r := rand.New(rand.NewPCG(sim.StreamSeed(s.Seed, 0, streamSobol+1)))
	rows := make([]int, s.N)
	for j := range rows {
		rows[j] = j
	}
	res := make([]SobolResult, nOut)
	first := make([][][]float64, nOut) // [o][i] bootstrap values
	total := make([][][]float64, nOut)
	for o := range nOut {
		first[o] = make([][]float64, d)
		total[o] = make([][]float64, d)
		v, s1, st := sobolEstimates(y, rows, o, d)
		res[o] = SobolResult{Output: s.Outputs[o], Variance: v, N: s.N, Evaluations: s.N * (d + 2)}
		for i, in := range s.Inputs {
			res[o].Indices = append(res[o].Indices, SobolIndex{Input: in.Name, First: s1[i], Total: st[i]})
		}
	}
	for range boot {
		for j := range rows {
			rows[j] = r.IntN(s.N)
		}
		for o := range nOut {
			_, s1, st := sobolEstimates(y, rows, o, d)
			for i := range d {
				first[o][i] = append(first[o][i], s1[i])
				total[o][i] = append(total[o][i], st[i])
			}
		}
	}
	for o := range nOut {
		for i := range d {
			res[o].Indices[i].FirstC = percentile95(first[o][i])
			res[o].Indices[i].TotalC = percentile95(total[o][i])
		}
	}
	return res, nil
}

// sobolEstimates computes V, S_i and ST_i for output o over the given rows
// (with repeats, for the bootstrap).
func sobolEstimates(y [][][]float64, rows []int, o, d int) (v float64, s1, st []float64) {
	var m sim.Moments
	for _, j := range rows {
		m.Add(y[0][j][o])
		m.Add(y[1][j][o])
	}
	v = m.Var()
	s1 = make([]float64, d)
	st = make([]float64, d)
	n := float64(len(rows))
	for i := range d {
		var a, b float64
		for _, j := range rows {
			fa, fb, fab := y[0][j][o], y[1][j][o], y[2+i][j][o]
			a += fb * (fab - fa)
			b += (fa - fab) * (fa - fab)
		}
		if v > 0 {
			s1[i] = a / n / v
			st[i] = b / (2 * n) / v
		}
	}
	return v, s1, st
}

func percentile95(xs []float64) Interval {
	s := slices.Clone(xs)
	slices.Sort(s)
	return Interval{sim.Quantile(s, 0.025), sim.Quantile(s, 0.975)}
}
