package risk

import (
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

// Input is one uncertain input: the scenario key it sets (e.g.
// "incidents[fire].frequency") and the distribution of what is known about
// it, in the scenario's base unit (per year for frequencies, hours for
// durations, currency for costs). This is epistemic uncertainty — what the
// planner does not know — as opposed to the randomness of a year.
type Input struct {
	Name string
	Dist sim.Dist
}

// At returns the input's p-quantile.
func (in Input) At(p float64) float64 { return in.Dist.Quantile(p) }

// Medians returns every input's median.
func Medians(inputs []Input) []float64 {
	x := make([]float64, len(inputs))
	for i, in := range inputs {
		x[i] = in.At(0.5)
	}
	return x
}

// streamOuter is the stream id of the outer sample's Latin hypercube.
const streamOuter = 0x6f75_7465_7200 // "outer"

// LatinHypercube returns n points of the inputs, a Latin hypercube in
// probability (gonum samplemv.LatinHypercube on the unit cube, from a PCG
// stream fixed by seed) mapped through each input's quantile function, so
// every input's n values cover its n equal-probability bins once each.
// Row j is point j.
func LatinHypercube(inputs []Input, n int, seed uint64) [][]float64 {
	d := len(inputs)
	pts := make([][]float64, n)
	if d == 0 {
		for j := range pts {
			pts[j] = []float64{}
		}
		return pts
	}
	u := mat.NewDense(n, d, nil)
	samplemv.LatinHypercube{
		Q:   distmv.NewUnitUniform(d, nil),
		Src: rand.NewPCG(sim.StreamSeed(seed, 0, streamOuter)),
	}.Sample(u)
	for j := range pts {
		pts[j] = make([]float64, d)
		for i, in := range inputs {
			pts[j][i] = in.At(u.At(j, i))
		}
	}
	return pts
}

// Inner evaluates every option at one point x of the inputs (the inner
// loop of a two-level Monte Carlo): it returns each option's AAL estimate,
// option 0 being the baseline ("do nothing"). It should simulate all
// options on the same years (common random numbers, as Run does). outer is
// the index of the point; using the same inner seed for every point keeps
// the noise of the inner loop common to all points too, so differences
// between points come from the inputs.
type Inner func(outer int, x []float64) ([]Estimate, error)

// NPVFunc values option o at input point x given its AAL reduction
// against the baseline (per year). Costs may themselves be uncertain
// inputs, which is why it sees x.
type NPVFunc func(option int, x []float64, reduction float64) float64

// TwoLevel is a two-level Monte Carlo over uncertain inputs: Outer points
// of the inputs (a Latin hypercube, seeded by Seed), at each of which Inner
// evaluates every option.
type TwoLevel struct {
	Inputs  []Input
	Options []string // Options[0] is the baseline, "do nothing"
	Outer   int
	Seed    uint64
	Inner   Inner
	NPV     NPVFunc // nil values an option at its AAL reduction alone
}

// Spread is the distribution of a quantity over input uncertainty: the
// mean over outer points with its 95% interval (Student t over the points),
// and quantiles of the points.
type Spread struct {
	Mean float64  `json:"mean"`
	CI95 Interval `json:"ci95"`
	P05  float64  `json:"p05"`
	P50  float64  `json:"p50"`
	P95  float64  `json:"p95"`
	N    int      `json:"n"`
}

func spread(xs []float64) Spread {
	st := sim.Summarize(xs)
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	return Spread{
		Mean: st.Mean, CI95: Interval(st.CI95), N: st.N,
		P05: sim.Quantile(sorted, 0.05), P50: st.P50, P95: sim.Quantile(sorted, 0.95),
	}
}

// Proportion is an estimated probability with its Wilson 95% interval.
type Proportion struct {
	P    float64  `json:"p"`
	CI95 Interval `json:"ci95"`
	N    int      `json:"n"`
}

// wilson returns k/n with Wilson's score interval,
//
//	(p̂ + z²/2n ± z·sqrt(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)
//
// which stays inside [0, 1] and is not degenerate at k = 0 or n.
func wilson(k, n int) Proportion {
	if n == 0 {
		return Proportion{P: math.NaN(), CI95: Interval{math.NaN(), math.NaN()}}
	}
	const z = 1.959963984540054
	p := float64(k) / float64(n)
	nf := float64(n)
	c := (p + z*z/(2*nf)) / (1 + z*z/nf)
	h := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / (1 + z*z/nf)
	lo, hi := max(0, c-h), min(1, c+h)
	// At k = 0 and k = n the ends are exactly 0 and 1; rounding would
	// leave them a hair inside.
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return Proportion{P: p, CI95: Interval{lo, hi}, N: n}
}

// OptionUncertainty is one option's result over input uncertainty.
type OptionUncertainty struct {
	Name string `json:"name"`
	AAL  Spread `json:"aal"`
	NPV  Spread `json:"npv"`
	// PBest is the share of input points at which the option has the
	// highest NPV (the baseline's NPV is 0).
	PBest Proportion `json:"p_best"`
	// PBeatsNothing is the share of points at which its NPV is positive.
	PBeatsNothing Proportion `json:"p_beats_nothing"`
	// InnerNoise is the mean over points of the inner estimate's variance
	// of the AAL divided by the variance of the AAL over points: how much
	// of the spread is simulation noise rather than input uncertainty
	// (keep it well below 1).
	InnerNoise float64 `json:"inner_noise_share"`
}

// Uncertainty is the result of a two-level run.
type Uncertainty struct {
	Outer   int                 `json:"outer"`
	Options []OptionUncertainty `json:"options"`
	// BestByMeanNPV is the option with the highest mean NPV over the
	// points ("baseline" when none has a positive one): the choice under
	// today's knowledge.
	BestByMeanNPV string `json:"best_by_mean_npv"`
	// EVPI is the expected value of perfect information: the mean over
	// points of the best NPV there, less the best mean NPV,
	//
	//	EVPI = E_x[max_o NPV_o(x)] − max_o E_x[NPV_o(x)] ≥ 0,
	//
	// what learning the inputs exactly before choosing would be worth, in
	// the currency (0 when one option is best at every point).
	EVPI   Spread      `json:"evpi"`
	Points [][]float64 `json:"-"` // the input points
	AAL    [][]float64 `json:"-"` // AAL[j][o]: option o at point j
	NPVs   [][]float64 `json:"-"` // NPVs[j][o]
}

// Run performs the two-level Monte Carlo.
func (tl *TwoLevel) Run() (*Uncertainty, error) {
	if tl.Outer < 2 {
		return nil, fmt.Errorf("two-level Monte Carlo needs at least 2 outer points, got %d", tl.Outer)
	}
	if len(tl.Options) == 0 || tl.Inner == nil {
		return nil, errors.New("two-level Monte Carlo needs options and an inner evaluator")
	}
	nO := len(tl.Options)
	pts := LatinHypercube(tl.Inputs, tl.Outer, tl.Seed)
	u := &Uncertainty{Outer: tl.Outer, Points: pts}
	innerVar := make([]float64, nO)
	for j, x := range pts {
		est, err := tl.Inner(j, x)
		if err != nil {
			return nil, fmt.Errorf("outer point %d: %w", j, err)
		}
		if len(est) != nO {
			return nil, fmt.Errorf("outer point %d: inner loop returned %d options, want %d", j, len(est), nO)
		}
		aal := make([]float64, nO)
		npv := make([]float64, nO)
		for o, e := range est {
			aal[o] = e.Mean
			se := (e.CI95[1] - e.Mean) / tQuantile975(e.N-1)
			innerVar[o] += se * se / float64(tl.Outer)
		}
		for o := 1; o < nO; o++ {
			red := aal[0] - aal[o]
			if tl.NPV != nil {
				npv[o] = tl.NPV(o, x, red)
			} else {
				npv[o] = red
			}
		}
		u.AAL = append(u.AAL, aal)
		u.NPVs = append(u.NPVs, npv)
	}
	best := make([]int, nO)
	beats := make([]int, nO)
	for _, npv := range u.NPVs {
		b := 0
		for o := 1; o < nO; o++ {
			if npv[o] > npv[b] {
				b = o
			}
			if npv[o] > 0 {
				beats[o]++
			}
		}
		best[b]++
	}
	for o, name := range tl.Options {
		col := func(m [][]float64) []float64 {
			out := make([]float64, len(m))
			for j := range m {
				out[j] = m[j][o]
			}
			return out
		}
		a := col(u.AAL)
		ou := OptionUncertainty{
			Name: name, AAL: spread(a), NPV: spread(col(u.NPVs)),
			PBest: wilson(best[o], tl.Outer), PBeatsNothing: wilson(beats[o], tl.Outer),
		}
		if v := variance(a); v > 0 {
			ou.InnerNoise = innerVar[o] / v
		}
		u.Options = append(u.Options, ou)
	}
	bestMean := 0
	for o := range u.Options {
		if u.Options[o].NPV.Mean > u.Options[bestMean].NPV.Mean {
			bestMean = o
		}
	}
	u.BestByMeanNPV = tl.Options[bestMean]
	regret := make([]float64, len(u.NPVs))
	for j, npv := range u.NPVs {
		regret[j] = slices.Max(npv) - npv[bestMean]
	}
	u.EVPI = spread(regret)
	return u, nil
}

func variance(xs []float64) float64 {
	var m sim.Moments
	for _, x := range xs {
		m.Add(x)
	}
	return m.Var()
}
