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
// T-year loss), with Woodruff's interval: with p = 1/T and se the design
// standard error of Ŝ_≥(x_T) = Σ_i W_i 1{v_i ≥ x_T},
//
//	[Q(p + z·se), Q(p − z·se)],  z = 1.96
//
// inverting the normal interval of the exceedance probability through the
// estimated curve (Woodruff 1952). The upper end is +Inf when p − z·se < 0:
// the simulated years cannot bound the loss from above.
func (c *Curve) Point(T float64) EPPoint {
	p := 1 / T
	x := c.quantile(p)
	e := c.t.Mean(func(i int) float64 {
		if c.col[i] >= x {
			return 1
		}
		return 0
	})
	se := (e.CI95[1] - e.Mean) / tQuantile975(e.N-c.t.numStrata())
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

// tvar returns TVaR_α, the mean loss of the worst 1-α of years,
//
//	TVaR_α = (1/(1-α)) ∫_α^1 VaR_u du
//
// estimated by walking the curve from the top until weight 1-α has been
// taken (the last row in part), with design weights w (in curve order).
func (c *Curve) tvar(alpha float64, w []float64) float64 {
	m := 1 - alpha
	acc, sum := 0.0, 0.0
	for k, i := range c.order {
		v := c.col[i]
		if acc+w[k] >= m {
			sum += (m - acc) * v
			return sum / m
		}
		acc += w[k]
		sum += w[k] * v
	}
	if acc == 0 {
		return math.NaN()
	}
	return sum / acc
}

// bootstrapReps is the number of bootstrap resamples behind TVaR intervals.
const bootstrapReps = 400

// bootstrapStream is the stream id of bootstrap resampling.
const bootstrapStream = 0x7476_6172 // "tvar"

// TVaR returns the tail value at risk at each level with a percentile
// bootstrap interval: bootstrapReps resamples, each drawing m_h rows with
// replacement within every stratum h (so the design is kept), from a PCG
// stream fixed by seed. Resampling only reweights the rows, so the
// descending order is computed once and each resample costs O(N).
func (c *Curve) TVaR(levels []float64, seed uint64) []TVaRPoint {
	out := make([]TVaRPoint, len(levels))
	for k, a := range levels {
		out[k] = TVaRPoint{Level: a, Loss: c.tvar(a, c.w)}
	}
	t := c.t
	n := t.Len()
	if n == 0 {
		return out
	}
	// Rows of each stratum, as positions in curve order.
	byStratum := make([][]int, t.numStrata())
	for k, i := range c.order {
		h := t.Stratum[i]
		byStratum[h] = append(byStratum[h], k)
	}
	r := rand.New(rand.NewPCG(sim.StreamSeed(seed, 0, bootstrapStream)))
	mult := make([]float64, n)
	w := make([]float64, n)
	boot := make([][]float64, len(levels))
	for range bootstrapReps {
		clear(mult)
		for _, pos := range byStratum {
			for range pos {
				mult[pos[r.IntN(len(pos))]]++
			}
		}
		for k := range w {
			w[k] = c.w[k] * mult[k]
		}
		for j, a := range levels {
			boot[j] = append(boot[j], c.tvar(a, w))
		}
	}
	for j := range levels {
		slices.Sort(boot[j])
		out[j].CI95 = Interval{sim.Quantile(boot[j], 0.025), sim.Quantile(boot[j], 0.975)}
	}
	return out
}
