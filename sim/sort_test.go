package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// checkSorted checks that SortFloats sorts xs as slices.Sort does, bit
// for bit, bar the order of -0 and +0.
func checkSorted(t *testing.T, name string, xs []float64) {
	t.Helper()
	want := slices.Clone(xs)
	slices.Sort(want)
	got := slices.Clone(xs)
	SortFloats(got)
	// Either leaves -0 and +0 in any order: put -0 first in both.
	zerosBySign(want)
	zerosBySign(got)
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Fatalf("%s (n=%d): at %d got %v, want %v", name, len(xs), i, got[i], want[i])
		}
	}
}

func zerosBySign(xs []float64) {
	for i := 0; i < len(xs); i++ {
		j := i
		for j < len(xs) && xs[j] == 0 {
			j++
		}
		slices.SortFunc(xs[i:j], func(a, b float64) int {
			return boolInt(!math.Signbit(a)) - boolInt(!math.Signbit(b))
		})
		i = j
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSortFloatsMatchesSlicesSort checks the radix sort against
// slices.Sort on the inputs that make it take each path: every sign and
// special value, ties, a column of zeros, values of one magnitude (bytes
// skipped), NaN only, and sizes on both sides of radixMin.
func TestSortFloatsMatchesSlicesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	specials := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64,
		-math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 1, -1}
	gens := map[string]func() float64{
		"normal":    func() float64 { return r.NormFloat64() * 1e3 },
		"lognormal": func() float64 { return math.Exp(r.NormFloat64() * 5) },
		"specials":  func() float64 { return specials[r.IntN(len(specials))] },
		"mixed": func() float64 {
			if r.IntN(3) == 0 {
				return specials[r.IntN(len(specials))]
			}
			return r.NormFloat64()
		},
		"zeros":     func() float64 { return 0 },
		"ties":      func() float64 { return float64(r.IntN(5)) },
		"mostly0":   func() float64 { return float64(r.IntN(2)) * r.Float64() * 50 },
		"magnitude": func() float64 { return 1 + r.Float64() }, // one exponent
		"nan":       func() float64 { return math.NaN() },
		"bits": func() float64 {
			for {
				if x := math.Float64frombits(r.Uint64()); !math.IsNaN(x) {
					return x
				}
			}
		},
	}
	for name, gen := range gens {
		for _, n := range []int{0, 1, 2, 7, radixMin - 1, radixMin, radixMin + 1, 3000, 20000} {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = gen()
			}
			checkSorted(t, name, xs)
		}
	}
}

// TestSummarizeQuantilesExact checks Summarize's quantiles against type-7
// quantiles of a slices.Sort-ed copy, on large samples (the radix path).
func TestSummarizeQuantilesExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{600, 10001} {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = math.Exp(r.NormFloat64()*3) * float64(r.IntN(2))
		}
		s := Summarize(xs)
		sorted := slices.Clone(xs)
		slices.Sort(sorted)
		for _, q := range []struct {
			got float64
			p   float64
		}{{s.P10, 0.1}, {s.P50, 0.5}, {s.P90, 0.9}, {s.P99, 0.99}} {
			if want := Quantile(sorted, q.p); math.Float64bits(q.got) != math.Float64bits(want) {
				t.Errorf("n=%d p=%v: got %v, want %v", n, q.p, q.got, want)
			}
		}
	}
}

func FuzzSortFloats(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Repeat the bytes' values up to past radixMin so the radix path runs.
		var xs []float64
		for len(b) >= 8 && len(xs) < 4*radixMin {
			for i := 0; i+8 <= len(b); i += 8 {
				u := uint64(b[i]) | uint64(b[i+1])<<8 | uint64(b[i+2])<<16 | uint64(b[i+3])<<24 |
					uint64(b[i+4])<<32 | uint64(b[i+5])<<40 | uint64(b[i+6])<<48 | uint64(b[i+7])<<56
				xs = append(xs, math.Float64frombits(u+uint64(len(xs))))
			}
		}
		checkSorted(t, "fuzz", xs)
	})
}

func BenchmarkSortFloats(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	xs := make([]float64, 10000)
	for i := range xs {
		xs[i] = math.Exp(r.NormFloat64()*3) * float64(r.IntN(2))
	}
	buf := make([]float64, len(xs))
	b.Run("radix", func(b *testing.B) {
		for b.Loop() {
			copy(buf, xs)
			SortFloats(buf)
		}
	})
	b.Run("pdqsort", func(b *testing.B) {
		for b.Loop() {
			copy(buf, xs)
			slices.Sort(buf)
		}
	})
}

// TestSorterReused checks that a Sorter sorts correctly whatever it
// sorted before, larger or smaller.
func TestSorterReused(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var s Sorter
	for _, n := range []int{5000, radixMin, 20000, 600, 3} {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = r.NormFloat64() * float64(r.IntN(3))
		}
		want := slices.Clone(xs)
		slices.Sort(want)
		s.Sort(xs)
		zerosBySign(want)
		zerosBySign(xs)
		if !slices.Equal(xs, want) {
			t.Fatalf("n=%d: a reused Sorter sorted wrongly", n)
		}
	}
}
