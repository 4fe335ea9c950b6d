package risk

import "math"

// Closed forms that the Monte Carlo is checked against (exact_test.go).

// PoissonTail returns P(N ≥ k) for N ~ Poisson(λ), summed from the terms
// of the tail so it stays accurate when small.
func PoissonTail(lam float64, k int) float64 {
	if k <= 0 {
		return 1
	}
	if lam == 0 {
		return 0
	}
	lg, _ := math.Lgamma(float64(k + 1))
	t := math.Exp(-lam + float64(k)*math.Log(lam) - lg)
	sum := 0.0
	for n := k; n < k+100000; n++ {
		sum += t
		t *= lam / float64(n+1)
		if t < 1e-18*sum {
			break
		}
	}
	return min(sum, 1)
}

// ConstantLoss is a compound Poisson annual loss with every incident
// costing the same: S = c·N, N ~ Poisson(λ). Its risk measures are exact:
//
//	AAL = λ·c
//	P(S > k·c) = P(N ≥ k+1)
//	AEP(T) = c · min{k : P(N ≥ k+1) ≤ 1/T}
//	OEP(T) = c if 1 − e^{−λ} > 1/T, else 0
type ConstantLoss struct {
	Lambda float64 // incidents per year
	C      float64 // loss per incident
}

// AAL returns λc.
func (m ConstantLoss) AAL() float64 { return m.Lambda * m.C }

// AEP returns the T-year aggregate loss.
func (m ConstantLoss) AEP(T float64) float64 {
	for k := 0; ; k++ {
		if PoissonTail(m.Lambda, k+1) <= 1/T {
			return float64(k) * m.C
		}
	}
}

// OEP returns the T-year occurrence loss.
func (m ConstantLoss) OEP(T float64) float64 {
	if -math.Expm1(-m.Lambda) > 1/T {
		return m.C
	}
	return 0
}

// UnitAvailability returns the steady-state availability of a unit that
// fails at rate λ and is repaired at rate μ (an alternating renewal
// process): A = μ/(λ+μ) = MTTF/(MTTF+MTTR).
func UnitAvailability(lambda, mu float64) float64 { return mu / (lambda + mu) }

// KofN returns the availability of a system that is up while at least k of
// n independent units of availability a are up (each with its own repair):
//
//	A = Σ_{j=k}^{n} C(n,j) a^j (1−a)^{n−j}
//
// 1+1 redundancy is KofN(1, 2, a) = 1 − (1−a)².
func KofN(k, n int, a float64) float64 {
	switch {
	case k <= 0:
		return 1
	case k > n:
		return 0
	case a >= 1:
		return 1
	case a <= 0:
		return 0
	}
	s := 0.0
	for j := k; j <= n; j++ {
		lc := lchoose(n, j)
		s += math.Exp(lc + float64(j)*math.Log(a) + float64(n-j)*math.Log1p(-a))
	}
	return min(s, 1)
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}
