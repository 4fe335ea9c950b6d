package model

import "fmt"

// Suggestions ("did you mean …?") compare a misspelt name with every
// candidate by edit distance. A scenario can hold hundreds of thousands of
// names and as many misspellings, so the work is bounded twice: a
// candidate whose length differs by more than the distance allowed is
// skipped without comparing, the comparison stops as soon as the distance
// exceeds that limit, and each reader spends at most suggestWork steps on
// suggestions in all, after which problems are reported without one. Only
// the first 100 problems are printed (see ValidationError), so a file
// exhausting the budget has far more problems than anyone reads.
const suggestWork = 30_000_000

// suggestLimit is the largest edit distance suggested for s.
func suggestLimit(s string) int {
	if len(s) <= 3 {
		return 1
	}
	return 2
}

// nearest is the candidate nearest to s (ties to the first in sorted
// order), or "" when none is within the limit. work counts the steps
// taken; it returns "" once *work reaches zero.
type nearest struct {
	s      string
	limit  int
	best   string
	bestD  int
	work   *int
	broken bool // the budget ran out
}

func newNearest(s string, work *int) *nearest {
	return &nearest{s: s, limit: suggestLimit(s), bestD: 1 << 30, work: work}
}

func (n *nearest) offer(c string) {
	if n.broken {
		return
	}
	if *n.work <= 0 {
		n.broken = true
		return
	}
	*n.work--
	if d := len(c) - len(n.s); d > n.limit || -d > n.limit {
		return
	}
	*n.work -= len(n.s) * (2*n.limit + 1)
	d := boundedDistance(n.s, c, n.limit)
	if d < n.bestD || d == n.bestD && c < n.best {
		n.best, n.bestD = c, d
	}
}

func (n *nearest) result() string {
	if n.broken || n.best == "" || n.bestD > n.limit || n.bestD >= len(n.s) || n.best == n.s {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", n.best)
}

// suggestFrom is suggest over the keys of m, within r's budget.
func suggestFrom[V any](r *reader, s string, m map[string]V) string {
	r.initWork()
	n := newNearest(s, &r.suggestLeft)
	for c := range m {
		n.offer(c)
	}
	return n.result()
}

// suggest is suggest within r's budget.
func (r *reader) suggest(s string, candidates []string) string {
	r.initWork()
	n := newNearest(s, &r.suggestLeft)
	for _, c := range candidates {
		n.offer(c)
	}
	return n.result()
}

func (r *reader) initWork() {
	if !r.workSet {
		r.suggestLeft, r.workSet = suggestWork, true
	}
}

// boundedDistance is the optimal string alignment distance between a and
// b — insertions, deletions, substitutions and swaps of adjacent bytes each
// cost 1, so "clt" is one edit from "ctl" — when it is at most limit, and limit+1 otherwise. It
// fills only the band of cells within limit of the diagonal and stops when
// a whole row exceeds limit, so it costs O(len(a) · limit).
func boundedDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	big := limit + 1
	w := len(b) + 1
	pprev := make([]int, w)
	prev := make([]int, w)
	cur := make([]int, w)
	for j := range prev {
		prev[j] = min(j, big)
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(len(b), i+limit)
		for j := range cur {
			cur[j] = big
		}
		if i <= limit {
			cur[0] = i
		}
		rowMin := cur[0]
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, pprev[j-2]+1)
			}
			cur[j] = min(v, big)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return big
		}
		pprev, prev, cur = prev, cur, pprev
	}
	return min(prev[len(b)], big)
}
