package risk

import (
	"encoding/json"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/dcsim/dcsim/sim"
)

// HoursPerYear is the length of a simulated year: 365 days.
const HoursPerYear = 8760

// YLT is a year-loss table: one row per simulated year of one variant
// (the baseline or an option), stored by column.
//
// A YLT may come from a sampling design that is not plain Monte Carlo.
// Rows belong to strata h = 0..H-1 of known probability π_h (Strata), and
// within a stratum each row carries a likelihood-ratio weight w_i (1 when
// the year was drawn from the variant's own distribution). With m_h rows in
// stratum h, the design weight of row i in stratum h is
//
//	W_i = π_h · w_i / m_h
//
// and the estimate of the expectation of any per-year quantity g is
//
//	E[g] ≈ Σ_i W_i g_i = Σ_h π_h · (1/m_h) Σ_{i∈h} w_i g_i
//
// with variance Σ_h π_h² s_h²/m_h, s_h² the sample variance of w·g within
// stratum h. Plain Monte Carlo is one stratum of probability 1 with unit
// weights, where this is (1/N) Σ_i L_i and the usual standard error.
type YLT struct {
	Variant   string
	Method    Method
	Services  []string // names of the columns of Downtime
	Incidents []string // names of the columns of ByIncident

	// Strata holds π_h; nil means one stratum of probability 1.
	Strata []float64

	Rep      []uint64  // replication index of the row
	Stratum  []int32   // stratum of the row
	Weight   []float64 // likelihood ratio w_i
	Loss     []float64 // total loss of the year
	MaxEvent []float64 // largest loss of a single incident in the year
	Events   []int32   // incidents that arrived in the year

	// Downtime is row-major: Downtime[i*len(Services)+s] is the hours
	// service s was down in year i.
	Downtime []float64
	// ByIncident is row-major: ByIncident[i*len(Incidents)+k] is the loss
	// in year i attributed to incidents of type k. Loss minus the row's sum
	// is loss not attributed to any catalogue incident (background).
	ByIncident []float64
}

// Row is one year, as appended to a YLT.
type Row struct {
	Rep        uint64
	Stratum    int
	Weight     float64
	Loss       float64
	MaxEvent   float64
	Events     int
	Downtime   []float64 // per service, hours; len(Services) or nil for zeros
	ByIncident []float64 // per incident type; len(Incidents) or nil for zeros
}

// Len returns the number of rows.
func (t *YLT) Len() int { return len(t.Loss) }

// Append adds a row. It panics if the row's slices have the wrong length,
// a programmer error.
func (t *YLT) Append(r Row) {
	if r.Downtime != nil && len(r.Downtime) != len(t.Services) ||
		r.ByIncident != nil && len(r.ByIncident) != len(t.Incidents) {
		panic("risk: row width differs from the table's")
	}
	t.Rep = append(t.Rep, r.Rep)
	t.Stratum = append(t.Stratum, int32(r.Stratum))
	t.Weight = append(t.Weight, r.Weight)
	t.Loss = append(t.Loss, r.Loss)
	t.MaxEvent = append(t.MaxEvent, r.MaxEvent)
	t.Events = append(t.Events, int32(r.Events))
	if r.Downtime == nil {
		t.Downtime = append(t.Downtime, make([]float64, len(t.Services))...)
	} else {
		t.Downtime = append(t.Downtime, r.Downtime...)
	}
	if r.ByIncident == nil {
		t.ByIncident = append(t.ByIncident, make([]float64, len(t.Incidents))...)
	} else {
		t.ByIncident = append(t.ByIncident, r.ByIncident...)
	}
}

// Check reports a table that estimators cannot use: columns of different
// lengths, a stratum index out of range, a stratum of positive probability
// with fewer than two rows (its variance cannot be estimated), negative or
// non-finite weights or losses.
func (t *YLT) Check() error {
	n := t.Len()
	if len(t.Rep) != n || len(t.Stratum) != n || len(t.Weight) != n || len(t.MaxEvent) != n || len(t.Events) != n ||
		len(t.Downtime) != n*len(t.Services) || len(t.ByIncident) != n*len(t.Incidents) {
		return fmt.Errorf("risk: year-loss table %q has columns of different lengths", t.Variant)
	}
	if n == 0 {
		return fmt.Errorf("risk: year-loss table %q is empty", t.Variant)
	}
	m := make([]int, t.numStrata())
	for i := range n {
		h := int(t.Stratum[i])
		if h < 0 || h >= len(m) {
			return fmt.Errorf("risk: year-loss table %q: row %d is in stratum %d of %d", t.Variant, i, h, len(m))
		}
		m[h]++
		if w := t.Weight[i]; !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("risk: year-loss table %q: row %d has weight %v", t.Variant, i, w)
		}
		if l := t.Loss[i]; !(l >= 0) || math.IsInf(l, 0) {
			return fmt.Errorf("risk: year-loss table %q: row %d has loss %v", t.Variant, i, l)
		}
	}
	for h, p := range t.strata() {
		if p > 0 && m[h] < 2 {
			return fmt.Errorf("risk: year-loss table %q: stratum %d (probability %g) has %d rows; need at least 2", t.Variant, h, p, m[h])
		}
	}
	return nil
}

func (t *YLT) numStrata() int {
	if t.Strata == nil {
		return 1
	}
	return len(t.Strata)
}

var oneStratum = []float64{1}

func (t *YLT) strata() []float64 {
	if t.Strata == nil {
		return oneStratum
	}
	return t.Strata
}

// counts returns m_h, the rows per stratum.
func (t *YLT) counts() []int {
	m := make([]int, t.numStrata())
	for _, h := range t.Stratum {
		m[h]++
	}
	return m
}

// designWeights returns W_i = π_h w_i / m_h.
func (t *YLT) designWeights() []float64 {
	m := t.counts()
	pi := t.strata()
	W := make([]float64, t.Len())
	for i, h := range t.Stratum {
		W[i] = pi[h] * t.Weight[i] / float64(m[h])
	}
	return W
}

// Interval is a confidence interval. An end that the data cannot bound
// (e.g. the upper end of a 1000-year loss from 500 simulated years) is
// infinite and is written to JSON as null.
type Interval [2]float64

// MarshalJSON writes non-finite ends as null.
func (iv Interval) MarshalJSON() ([]byte, error) {
	var out [2]any
	for k, x := range iv {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			out[k] = nil
		} else {
			out[k] = x
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads null ends as -Inf (lower) and +Inf (upper).
func (iv *Interval) UnmarshalJSON(b []byte) error {
	var in [2]*float64
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	iv[0], iv[1] = math.Inf(-1), math.Inf(1)
	if in[0] != nil {
		iv[0] = *in[0]
	}
	if in[1] != nil {
		iv[1] = *in[1]
	}
	return nil
}

// Contains reports whether lo ≤ x ≤ hi.
func (iv Interval) Contains(x float64) bool { return iv[0] <= x && x <= iv[1] }

// Estimate is a mean over simulated years with its 95% confidence interval
// and the number of years behind it.
type Estimate struct {
	Mean float64  `json:"mean"`
	CI95 Interval `json:"ci95"`
	N    int      `json:"n"`
}

// Mean estimates E[g] for the per-year quantity g(i) under the table's
// design (see YLT), with the interval
//
//	Σ_h π_h ḡ_h ± t_{0.975, N-H} · sqrt(Σ_h π_h² s_h²/m_h)
//
// where ḡ_h and s_h² are the mean and sample variance of w_i g(i) over the
// m_h rows of stratum h, N the rows and H the strata with rows.
func (t *YLT) Mean(g func(i int) float64) Estimate {
	pi := t.strata()
	mom := make([]sim.Moments, len(pi))
	for i, h := range t.Stratum {
		mom[h].Add(t.Weight[i] * g(i))
	}
	return combine(pi, mom)
}

// combine forms the stratified mean and its t interval.
func combine(pi []float64, mom []sim.Moments) Estimate {
	var mean, v float64
	n, strata := 0, 0
	for h, p := range pi {
		if mom[h].N == 0 {
			continue
		}
		n += mom[h].N
		strata++
		mean += p * mom[h].Mean
		v += p * p * mom[h].Var() / float64(mom[h].N)
	}
	if n == 0 {
		return Estimate{Mean: math.NaN(), CI95: Interval{math.NaN(), math.NaN()}}
	}
	h := tQuantile975(n-strata) * math.Sqrt(v)
	return Estimate{Mean: mean, CI95: Interval{mean - h, mean + h}, N: n}
}

// tQuantile975 is Student's t 0.975 quantile with df degrees of freedom
// (the normal's when df is large or not positive).
func tQuantile975(df int) float64 {
	if df <= 0 || df > 1e6 {
		return 1.959963984540054
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// AAL returns the annual average loss, AAL = Σ_i W_i L_i (for plain Monte
// Carlo, (1/N) Σ_i L_i), with its interval (see Mean).
func (t *YLT) AAL() Estimate {
	return t.Mean(func(i int) float64 { return t.Loss[i] })
}

// Reduction estimates AAL(base) − AAL(t) from the same sampled years,
// pairing year i of both tables (common random numbers):
//
//	Σ_h π_h mean_h(w⁰_i L⁰_i − w_i L_i) ± t · sqrt(Σ_h π_h² s_h²/m_h)
//
// Its interval is of the cut itself, narrower than the two AAL intervals
// suggest when the variants' losses move together. The tables must hold
// the same years of one run (as Run returns them).
func Reduction(base, t *YLT) (Estimate, error) {
	if base.Len() != t.Len() || len(base.Strata) != len(t.Strata) {
		return Estimate{}, fmt.Errorf("risk: %s and %s hold different years", base.Variant, t.Variant)
	}
	pi := t.strata()
	mom := make([]sim.Moments, len(pi))
	for i, h := range t.Stratum {
		if base.Stratum[i] != h || base.Rep[i] != t.Rep[i] {
			return Estimate{}, fmt.Errorf("risk: %s and %s differ at row %d", base.Variant, t.Variant, i)
		}
		mom[h].Add(base.Weight[i]*base.Loss[i] - t.Weight[i]*t.Loss[i])
	}
	return combine(pi, mom), nil
}
