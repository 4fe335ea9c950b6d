package pipeline

import (
	"math/rand/v2"
	"sort"
	"testing"
)

// TestMedianIndex: the median's index is the one a stable sort of the
// indices by value puts at rank (n-1)/2, with many ties and without.
func TestMedianIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + r.IntN(60)
		vals := make([]float64, n)
		for i := range vals {
			if trial%2 == 0 {
				vals[i] = float64(r.IntN(4)) // ties
			} else {
				vals[i] = r.Float64()
			}
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return vals[idx[a]] < vals[idx[b]] })
		if got, want := medianIndex(vals), idx[(n-1)/2]; got != want {
			t.Fatalf("medianIndex(%v) = %d, want %d", vals, got, want)
		}
	}
}
