package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// DistKind names a family of distributions.
type DistKind uint8

// The distribution families. Parameters live in Dist's fields as documented
// on each kind.
const (
	// Const always returns Dist.A.
	Const DistKind = iota
	// Exponential with mean Dist.A > 0: F(x) = 1 - exp(-x/A).
	Exponential
	// Lognormal with log-mean Dist.A (μ) and log-sd Dist.B (σ ≥ 0):
	// median e^μ, pth quantile e^(μ + σ·z_p).
	Lognormal
	// Weibull with shape Dist.A (k > 0) and scale Dist.B (λ > 0):
	// F(x) = 1 - exp(-(x/λ)^k).
	Weibull
	// Uniform on [Dist.A, Dist.B].
	Uniform
	// Triangular on [Dist.A, Dist.C] with mode Dist.B.
	Triangular
)

var distNames = [...]string{"const", "exponential", "lognormal", "weibull", "uniform", "triangular"}

func (k DistKind) String() string {
	if int(k) < len(distNames) {
		return distNames[k]
	}
	return fmt.Sprintf("DistKind(%d)", k)
}

// z95 is the standard normal 0.95 quantile, Φ⁻¹(0.95).
const z95 = 1.6448536269514722

// Dist is a univariate distribution of non-negative durations or counts, a
// small value type: sampling it draws from the caller's generator and
// allocates nothing (unlike distuv's types, whose Rand builds a generator on
// every call when Src is a Source).
type Dist struct {
	Kind    DistKind
	A, B, C float64
}

// Fixed returns the distribution concentrated at x.
func Fixed(x float64) Dist { return Dist{Kind: Const, A: x} }

// Exp returns the exponential distribution with the given mean.
func Exp(mean float64) Dist { return Dist{Kind: Exponential, A: mean} }

// LognormalMedianP95 returns the lognormal distribution with the given
// median and 95th percentile (p95 ≥ median > 0):
//
//	μ = ln(median),  σ = (ln(p95) - μ) / Φ⁻¹(0.95)
func LognormalMedianP95(median, p95 float64) Dist {
	mu := math.Log(median)
	return Dist{Kind: Lognormal, A: mu, B: (math.Log(p95) - mu) / z95}
}

// Sample draws one value using r.
func (d Dist) Sample(r *rand.Rand) float64 {
	switch d.Kind {
	case Const:
		return d.A
	case Exponential:
		return d.A * r.ExpFloat64()
	case Lognormal:
		return math.Exp(d.A + d.B*r.NormFloat64())
	case Weibull:
		return d.B * math.Pow(-math.Log(1-r.Float64()), 1/d.A)
	case Uniform:
		return d.A + (d.B-d.A)*r.Float64()
	case Triangular:
		return d.Quantile(r.Float64())
	}
	panic("sim: unknown distribution kind")
}

// Mean returns the expected value.
func (d Dist) Mean() float64 {
	switch d.Kind {
	case Const, Exponential:
		return d.A
	case Lognormal:
		return math.Exp(d.A + d.B*d.B/2)
	case Weibull:
		return d.B * math.Gamma(1+1/d.A)
	case Uniform:
		return (d.A + d.B) / 2
	case Triangular:
		return (d.A + d.B + d.C) / 3
	}
	return math.NaN()
}

// Quantile returns the p-quantile, 0 ≤ p ≤ 1.
func (d Dist) Quantile(p float64) float64 {
	switch d.Kind {
	case Const:
		return d.A
	case Exponential:
		return -d.A * math.Log(1-p)
	case Lognormal:
		return math.Exp(d.A + d.B*math.Sqrt2*math.Erfinv(2*p-1))
	case Weibull:
		return d.B * math.Pow(-math.Log(1-p), 1/d.A)
	case Uniform:
		return d.A + (d.B-d.A)*p
	case Triangular:
		a, m, c := d.A, d.B, d.C
		if c <= a {
			return a
		}
		f := (m - a) / (c - a)
		if p < f {
			return a + math.Sqrt(p*(c-a)*(m-a))
		}
		return c - math.Sqrt((1-p)*(c-a)*(c-m))
	}
	return math.NaN()
}

// Scale returns d with every value multiplied by f > 0 (a time multiplier,
// e.g. for drilled teams).
func (d Dist) Scale(f float64) Dist {
	switch d.Kind {
	case Lognormal:
		d.A += math.Log(f)
	case Weibull:
		d.B *= f
	default:
		d.A *= f
		d.B *= f
		d.C *= f
	}
	return d
}

// String describes d in the scenario syntax's terms.
func (d Dist) String() string {
	switch d.Kind {
	case Const:
		return fmt.Sprintf("const(%g)", d.A)
	case Exponential:
		return fmt.Sprintf("exponential(mean=%g)", d.A)
	case Lognormal:
		// median and p95 are recomputed from μ and σ, so they carry
		// rounding error (20 comes back as 19.999999999999996); 12
		// significant digits print what the scenario said.
		return fmt.Sprintf("lognormal(median=%.12g, p95=%.12g)", math.Exp(d.A), math.Exp(d.A+d.B*z95))
	case Weibull:
		return fmt.Sprintf("weibull(k=%g, scale=%g)", d.A, d.B)
	case Uniform:
		return fmt.Sprintf("uniform(%g, %g)", d.A, d.B)
	case Triangular:
		return fmt.Sprintf("triangular(%g, %g, %g)", d.A, d.B, d.C)
	}
	return d.Kind.String()
}
