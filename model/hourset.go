package model

import "math/bits"

// hourSet is a set of hours of the week, hour k at bit k%64 of word k/64.
type hourSet [3]uint64

func (h *hourSet) has(k uint) bool { return h[k>>6]&(1<<(k&63)) != 0 }

// lossFrom returns how many hours from hour k on, going round the week,
// are in the set before the first that is not: 0 when k itself is not,
// 168 when every hour is.
func (h *hourSet) lossFrom(k uint) uint {
	if j, ok := h.firstOut(k); ok {
		return j - k
	}
	if j, ok := h.firstOut(0); ok {
		return 168 - k + j
	}
	return 168
}

// firstOut returns the first hour from k to 167 not in the set.
func (h *hourSet) firstOut(k uint) (uint, bool) {
	for w := k >> 6; w < 3; w++ {
		out := ^h[w]
		if w == 2 {
			out &= 1<<(168-128) - 1
		}
		if w == k>>6 {
			out &= ^uint64(0) << (k & 63)
		}
		if out != 0 {
			return w<<6 + uint(bits.TrailingZeros64(out)), true
		}
	}
	return 0, false
}

func (h *hourSet) and(o *hourSet) {
	h[0] &= o[0]
	h[1] &= o[1]
	h[2] &= o[2]
}
