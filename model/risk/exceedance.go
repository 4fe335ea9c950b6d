package risk

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/dcsim/dcsim/sim"
)

// ReturnPeriods are the return periods, in years, at which Summarize
// reads the exceedance curves.
var ReturnPeriods = []float64{2, 5, 10, 25, 50, 100, 250, 500, 1000}

// TVaRLevels are the levels at which Summarize reports tail value at risk.
var TVaRLevels = []float64{0.99, 0.996}

// EPPoint is one point of an exceedance curve: the loss whose annual
// probability of being exceeded is 1/ReturnPeriodYears.
type EPPoint struct {
	ReturnPeriodYears float64  `json:"return_period_years"`
	Loss              float64  `json:"loss"`
	CI95              Interval `json:"ci95"`
}

// Curve is a per-year quantity sorted for reading exceedance
// probabilities: the rows in descending order of value with their design
// weights.
type Curve struct {
	t     *YLT
	col   []float64
	order []int     // row indices, value descending
	w     []float64 // design weight W_i in that order
}

// NewCurve returns the curve of column col (t.Loss for the aggregate
// curve, t.MaxEvent for the occurrence curve).
func (t *YLT) NewCurve(col []float64) *Curve {
	order := make([]int, len(col))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(col[b], col[a]) })
	W := t.designWeights()
	w := make([]float64, len(order))
	for k, i := range order {
		w[k] = W[i]
	}
	return &Curve{t: t, col: col, order: order, w: w}
}

// Exceedance returns Ŝ(x) = Σ_i W_i 1{v_i > x}, the estimated annual
// probability that the quantity exceeds x.
func (c *Curve) Exceedance(x float64) float64 {
	s := 0.0
	for k, i := range c.order {
		if c.col[i] <= x {
			break
		}
		s += c.w[k]
	}
	return s
}

// ExceedanceCI returns Ŝ(x) with its 95% interval (see YLT.Mean).
func (c *Curve) ExceedanceCI(x float64) Estimate {
	return c.t.Mean(func(i int) float64 {
		if c.col[i] > x {
			return 1
		}
		return 0
	})
}

// quantile returns Q(s) = min{v_i : Ŝ(v_i) ≤ s}, the smallest observed
// value whose estimated exceedance probability is at most s; +Inf when
// s < 0 (no observed value qualifies). For s ≥ Ŝ(min) it is the smallest
// observed value.
func (c *Curve) quantile(s float64) float64 {
	if s < 0 || len(c.order) == 0 {
		return math.Inf(1)
	}
	above := 0.0 // Σ W over values strictly greater than the current one
	best := math.Inf(1)
	for k := 0; k < len(c.order); {
		v := c.col[c.order[k]]
		if above > s {
			break
		}
		best = v
		// Skip the tie group of v.
		for k < len(c.order) && c.col[c.order[k]] == v {
			above += c.w[k]
			k++
		}
	}
	return best
}

// Point returns the loss at return period T years,
//
//	x_T = min{x : Ŝ(x) ≤ 1/T}
//
// (the (1 − 1/T) quantile, the catastrophe-modelling definition of the
// T-year loss), with Woodruff's interval: with p = 1/T,
//
//	[Q(p + z·se), Q(p − z·se)],  z = 1.96
//
// inverting the normal interval of the exceedance probability through the
// estimated curve (Woodruff 1952). se is the design standard error of the
// estimated exceedance probability at x_T, the larger of those of
// Σ_i W_i 1{v_i > x_T} and Σ_i W_i 1{v_i ≥ x_T}: the strict one is 0 when
// x_T is the largest value seen, the other when x_T sits on an atom that
// holds most years (a loss of 0), and neither may then claim certainty.
// The upper end is +Inf when p − z·se < 0: the simulated years cannot
// bound the loss from above.
func (c *Curve) Point(T float64) EPPoint {
	p := 1 / T
	x := c.quantile(p)
	se := 0.0
	for _, strict := range []bool{true, false} {
		e := c.t.Mean(func(i int) float64 {
			if c.col[i] > x || !strict && c.col[i] == x {
				return 1
			}
			return 0
		})
		se = max(se, (e.CI95[1]-e.Mean)/tQuantile975(e.N-c.t.numStrata()))
	}
	const z = 1.959963984540054
	return EPPoint{ReturnPeriodYears: T, Loss: x, CI95: Interval{c.quantile(p + z*se), c.quantile(p - z*se)}}
}

// AEP returns the aggregate exceedance curve (annual total loss) at the
// given return periods.
func (t *YLT) AEP(periods []float64) []EPPoint { return t.NewCurve(t.Loss).points(periods) }

// OEP returns the occurrence exceedance curve (largest single-incident
// loss of the year) at the given return periods.
func (t *YLT) OEP(periods []float64) []EPPoint { return t.NewCurve(t.MaxEvent).points(periods) }

func (c *Curve) points(periods []float64) []EPPoint {
	out := make([]EPPoint, len(periods))
	for k, T := range periods {
		out[k] = c.Point(T)
	}
	return out
}

// TVaRPoint is the tail value at risk at one level.
type TVaRPoint struct {
	Level float64  `json:"level"`
	Loss  float64  `json:"loss"`
	CI95  Interval `json:"ci95"`
}

// tvars sets out[j] to TVaR at levels[j], the mean loss of the worst
// 1-α of years,
//
//	TVaR_α = (1/(1-α)) ∫_α^1 VaR_u du
//
// estimated by walking the curve from the top until weight 1-α has been
// taken (the last row in part), row k weighing c.w[k]·mult(k); one walk
// serves every level.
func (c *Curve) tvars(levels []float64, mult func(k int) float64, out []float64) {
	todo, deepest := 0, 0.0
	for j, a := range levels {
		out[j] = math.NaN()
		todo++
		deepest = max(deepest, 1-a)
	}
	acc, sum := 0.0, 0.0
	for k, i := range c.order {
		v := c.col[i]
		w := c.w[k] * mult(k)
		for j, a := range levels {
			if m := 1 - a; math.IsNaN(out[j]) && acc+w >= m {
				out[j] = (sum + (m-acc)*v) / m
				todo--
			}
		}
		if todo == 0 {
			return
		}
		acc += w
		sum += w * v
	}
	// Less weight than 1-α in all: the mean of what there is.
	for j := range levels {
		if math.IsNaN(out[j]) && acc > 0 {
			out[j] = sum / acc
		}
	}
}

// bootstrapReps is the number of bootstrap resamples behind TVaR intervals.
const bootstrapReps = 400

// bootstrapStream is the stream id of bootstrap resampling.
const bootstrapStream = 0x7476_6172 // "tvar"

// TVaR returns the tail value at risk at each level with a percentile
// bootstrap interval over bootstrapReps resamples from a PCG stream fixed
// by seed. Resamples are Poisson bootstrap resamples (Hanley and
// MacGibbon 2006): each row's multiplicity is an independent Poisson(1)
// count, which approximates drawing m_h rows with replacement within each
// stratum and, unlike it, lets a resample draw only the rows that the walk
// down the tail reaches — O(rows in the tail) per resample, not O(N).
func (c *Curve) TVaR(levels []float64, seed uint64) []TVaRPoint {
	out := make([]TVaRPoint, len(levels))
	est := make([]float64, len(levels))
	c.tvars(levels, func(int) float64 { return 1 }, est)
	for j, a := range levels {
		out[j] = TVaRPoint{Level: a, Loss: est[j]}
	}
	if c.t.Len() == 0 {
		return out
	}
	r := rand.New(rand.NewPCG(sim.StreamSeed(seed, 0, bootstrapStream)))
	var mult []float64
	lazy := func(k int) float64 {
		for len(mult) <= k {
			mult = append(mult, poisson1(r))
		}
		return mult[k]
	}
	boot := make([][]float64, len(levels))
	for range bootstrapReps {
		mult = mult[:0]
		c.tvars(levels, lazy, est)
		for j := range levels {
			boot[j] = append(boot[j], est[j])
		}
	}
	for j := range levels {
		slices.Sort(boot[j])
		out[j].CI95 = Interval{sim.Quantile(boot[j], 0.025), sim.Quantile(boot[j], 0.975)}
	}
	return out
}

// poisson1 draws a Poisson(1) count by inversion.
func poisson1(r *rand.Rand) float64 {
	const e1 = 0.36787944117144233 // e^-1
	u := r.Float64()
	p, F := e1, e1
	k := 0
	for u > F && k < 30 {
		k++
		p /= float64(k)
		F += p
	}
	return float64(k)
}
