package model

import (
	"cmp"
	"math"
	"slices"
)

// profileTable is a demand profile over the 168 hours of a week, with its
// running sum for O(1) integrals.
type profileTable struct {
	at       [168]float64
	cum      [169]float64 // cum[h] = Σ_{k<h} at[k]
	min, max float64
	minPos   float64 // the smallest demand above 0 (0: none)
	// order is the hours by rising demand; below[i] the set of the first
	// i of them. Capacity serves the hours of a prefix of order in full.
	order [168]uint8
	below [169]hourSet

	// For a profile whose demand varies: its threshold table and its
	// index among such profiles (Model.cross); nil and -1 otherwise.
	thr *thresholds
	idx int
}

func newProfileTable(p *Profile) *profileTable {
	t := &profileTable{min: math.Inf(1)}
	for h := range t.at {
		t.at[h] = p.At(float64(h))
		t.cum[h+1] = t.cum[h] + t.at[h]
		t.min = math.Min(t.min, t.at[h])
		t.max = math.Max(t.max, t.at[h])
		if t.at[h] > 0 && (t.minPos == 0 || t.at[h] < t.minPos) {
			t.minPos = t.at[h]
		}
	}
	for h := range t.order {
		t.order[h] = uint8(h)
	}
	slices.SortStableFunc(t.order[:], func(a, b uint8) int { return cmp.Compare(t.at[a], t.at[b]) })
	for i, h := range t.order {
		t.below[i+1] = t.below[i]
		t.below[i+1][h>>6] |= 1 << (h & 63)
	}
	return t
}

// served returns the hours at which avail servers serve demand
// D·p(h)·surge in full, as integrateHours and value compute it: p(h) = 0,
// or avail ≥ D·(p(h)·surge) > 0. For D, surge > 0 that product rises with
// p(h) (rounding keeps the order) and is positive for every p(h) > 0 when it
// is for the smallest, so the hours are a prefix of order, found by
// bisection; otherwise none are claimed.
func (t *profileTable) served(avail, D, surge float64) hourSet {
	if !(D > 0 && surge > 0) || t.minPos > 0 && !(D*(t.minPos*surge) > 0) {
		return hourSet{}
	}
	lo, hi := 0, len(t.order)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if v := t.at[t.order[mid]]; v == 0 || !(avail < D*(v*surge)) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return t.below[lo]
}

func (t *profileTable) hour(h float64) float64 {
	k := int(h) % 168
	if k < 0 {
		k += 168
	}
	return t.at[k]
}

// integral returns ∫_{u0}^{u1} p(u) du over week hours u0 ≤ u1:
//
//	p(⌊u0⌋)·(⌊u0⌋+1-u0) + Σ_{h=⌊u0⌋+1}^{⌊u1⌋-1} p(h) + p(⌊u1⌋)·(u1-⌊u1⌋)
//
// with the whole hours summed from the weekly running sum.
func (t *profileTable) integral(u0, u1 float64) float64 {
	h0, h1 := math.Floor(u0), math.Floor(u1)
	if h0 == h1 {
		return t.hour(h0) * (u1 - u0)
	}
	s := t.hour(h0)*(h0+1-u0) + t.hour(h1)*(u1-h1)
	n := int(h1 - h0 - 1) // whole hours between
	if n > 0 {
		s += float64(n/168) * t.cum[168]
		start := (int(h0) + 1) % 168
		if start < 0 {
			start += 168
		}
		end := start + n%168
		if end <= 168 {
			s += t.cum[end] - t.cum[start]
		} else {
			s += t.cum[168] - t.cum[start] + t.cum[end-168]
		}
	}
	return s
}
