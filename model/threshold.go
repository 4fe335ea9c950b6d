package model

import (
	"math"
	"sort"
)

// Cumulative demand tables for serving functions of one threshold.
//
// A service whose servers fall short of its demand at some hours, and
// whose dependencies each serve a constant fraction, serves
//
//	f(h) = c · own(h),   own(h) = min(1, τ/q(h))   (1 where q(h) = 0)
//
// with q its demand profile, τ = avail/(D·surge) the relative demand its
// servers carry in full, and c = (1 - reroute)·Π f_d. A service whose own
// factor is the same at every hour (servers to spare) and whose one
// hour-dependent dependency is of that form serves the same form, with
// the dependency's q and τ and its own constants folded into c. Over an interval that covers the whole
// hours H, such a service loses
//
//	outage = Σ_H (1 - f) = (1 - c)·N + (|H| - N) - c·τ·I
//	load   = Σ_H p·(1 - f) = (1 - c)·Pf + Pn - c·τ·R
//
// with N the hours of H at which q ≤ τ, I = Σ 1/q over the others, Pf and
// Pn = Σ p over the first and over the others and R = Σ p/q over the
// others, p being the profile that weighs the service's users. (Written
// so, a service that loses nothing gets exactly 0, not the difference of
// two sums taken in different orders.) Which hours have q ≤ τ depends
// on τ only through how many of q's distinct levels are at most τ, so
// each of those sums is a difference of two prefix sums from one row of a
// table per profile (p = q) or per pair of profiles (p ≠ q), chosen by a
// bisection: an interval costs O(log levels), whatever its length.

// thrSums are running sums over the hours of the week before some hour,
// for one row of a profile's threshold table: hours served in full (q ≤
// the row's level, or q = 0), Σ 1/q over the others, and Σ q over the
// full ones and over the others.
type thrSums struct{ full, inv, dem, demOut float64 }

// crossSums are running sums of another profile p over the hours a row
// of q's table serves in full (Σ p) and over the others (Σ p and Σ p/q).
type crossSums struct{ dem, demOut, ratio float64 }

// thresholds is a profile's table: levels its distinct demands above 0,
// rising; rows[r] the running sums when the hours at levels[:r] and the
// hours of no demand are served in full.
type thresholds struct {
	levels []float64
	rows   [][169]thrSums
}

// row returns the row for avail servers against demand D·q·surge: the
// number of levels they serve in full, decided as integrateHours decides
// each hour (avail ≥ D·(q·surge)), so that both agree on which hours lose
// nothing at all.
func (t *thresholds) row(avail, D, surge float64) int {
	return sort.Search(len(t.levels), func(i int) bool { return avail < D*(t.levels[i]*surge) })
}

func newThresholds(at *[168]float64) *thresholds {
	t := &thresholds{}
	for _, v := range at {
		if v > 0 {
			t.levels = append(t.levels, v)
		}
	}
	sort.Float64s(t.levels)
	t.levels = compactFloats(t.levels)
	t.rows = make([][169]thrSums, len(t.levels)+1)
	for r := range t.rows {
		row := &t.rows[r]
		for h, q := range at {
			x := row[h]
			if q == 0 || r > 0 && q <= t.levels[r-1] {
				x.full++
				x.dem += q
			} else {
				x.inv += 1 / q
				x.demOut += q
			}
			row[h+1] = x
		}
	}
	return t
}

// crossTable is the table of profile p against q's levels (p ≠ q).
type crossTable struct {
	rows [][169]crossSums
}

func newCrossTable(p *[168]float64, q *thresholds, qat *[168]float64) *crossTable {
	t := &crossTable{rows: make([][169]crossSums, len(q.rows))}
	for r := range t.rows {
		row := &t.rows[r]
		for h, v := range qat {
			x := row[h]
			if v == 0 || r > 0 && v <= q.levels[r-1] {
				x.dem += p[h]
			} else {
				x.demOut += p[h]
				x.ratio += p[h] / v
			}
			row[h+1] = x
		}
	}
	return t
}

func compactFloats(x []float64) []float64 {
	out := x[:0]
	for i, v := range x {
		if i == 0 || v != x[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// weekSpan splits n whole hours from week hour k on, going round the week,
// into whole weeks and the hours [a0, b0) and [a1, b1) of one more (the
// second range empty unless it wraps).
func weekSpan(k, n uint) (weeks float64, a0, b0, a1, b1 uint) {
	end := k + n%168
	if end <= 168 {
		return float64(n / 168), k, end, 0, 0
	}
	return float64(n / 168), k, 168, 0, end - 168
}

// spanThr returns the sums of a threshold row over n whole hours from
// week hour k on.
func spanThr(row *[169]thrSums, k, n uint) thrSums {
	w, a0, b0, a1, b1 := weekSpan(k, n)
	f := func(v func(*thrSums) float64) float64 {
		return w*v(&row[168]) + (v(&row[b0]) - v(&row[a0])) + (v(&row[b1]) - v(&row[a1]))
	}
	return thrSums{
		full:   f(func(x *thrSums) float64 { return x.full }),
		inv:    f(func(x *thrSums) float64 { return x.inv }),
		dem:    f(func(x *thrSums) float64 { return x.dem }),
		demOut: f(func(x *thrSums) float64 { return x.demOut }),
	}
}

// spanCross is spanThr for a row of a cross table.
func spanCross(row *[169]crossSums, k, n uint) crossSums {
	w, a0, b0, a1, b1 := weekSpan(k, n)
	f := func(v func(*crossSums) float64) float64 {
		return w*v(&row[168]) + (v(&row[b0]) - v(&row[a0])) + (v(&row[b1]) - v(&row[a1]))
	}
	return crossSums{
		dem:    f(func(x *crossSums) float64 { return x.dem }),
		demOut: f(func(x *crossSums) float64 { return x.demOut }),
		ratio:  f(func(x *crossSums) float64 { return x.ratio }),
	}
}

// maxCrossBytes bounds the tables of profile pairs a model builds; past
// it, services weighed by one profile and limited by another's threshold
// are integrated hour by hour, as every other hour-dependent service is.
const maxCrossBytes = 8 << 20

// compileThresholds builds the threshold table of every profile whose
// demand varies and, within maxCrossBytes, the cross tables of the pairs
// that can meet: a service's profile against that of a service it
// depends on, directly or not.
func (m *Model) compileThresholds(tables []*profileTable) {
	var varying []*profileTable
	for _, t := range tables {
		t.idx = -1
		if t.min != t.max {
			t.thr = newThresholds(&t.at)
			t.idx = len(varying)
			varying = append(varying, t)
		}
	}
	k := len(varying)
	m.nVarying = k
	m.cross = make([]*crossTable, k*k)
	// reach[s·k+j]: s depends, directly or not, on a service of the j-th
	// varying profile. Dependencies come first in Sc.Order.
	reach := make([]bool, m.nSvc*k)
	need := make([]bool, k*k)
	for _, s := range m.Sc.Order {
		mine := reach[s*k : (s+1)*k]
		for _, d := range m.svc[s].deps {
			if j := m.svc[d].profile.idx; j >= 0 {
				mine[j] = true
			}
			for j, on := range reach[d*k : (d+1)*k] {
				mine[j] = mine[j] || on
			}
		}
		if i := m.svc[s].profile.idx; i >= 0 {
			for j, on := range mine {
				need[i*k+j] = need[i*k+j] || on && j != i
			}
		}
	}
	budget := maxCrossBytes
	for i, p := range varying {
		for j, q := range varying {
			size := len(q.thr.rows) * 169 * 24
			if !need[i*k+j] || size > budget {
				continue
			}
			budget -= size
			m.cross[i*k+j] = newCrossTable(&p.at, q.thr, &q.at)
		}
	}
}

// threshold reports whether f_s, under the functions in force and not
// constant, is of the single-threshold form, and if so returns its
// constant c and the service the threshold comes from, whose servers
// avail, demand D, demand multiplier surge and profile q give f_s(h) =
// c·min(1, avail/(D·q(h)·surge)): s's own servers fall short at busy
// hours while its dependencies serve constant fractions, or s's own
// factor is constant and exactly one dependency varies, with that form.
// It follows such a chain of dependencies.
func (im *impact) threshold(s int) (c float64, src int, ok bool) {
	m := im.r.m
	c = 1
	for {
		x := &im.st[s].cur
		info := &m.svc[s]
		if x.depsFlat {
			// Its own factor varies (f_s is not constant): min(1, τ/q(h))
			// for a profile q that varies, with D·surge > 0 at every hour
			// of demand.
			pr := info.profile
			if pr.thr == nil || !(info.demand > 0 && x.surge > 0 && info.demand*(pr.minPos*x.surge) > 0) {
				return 0, 0, false
			}
			return c * (1 - x.reroute) * x.depValue, s, true
		}
		flat, own := ownFlat(info, x.avail, x.reroute, x.surge, x.zero)
		if !flat {
			return 0, 0, false // its own factor and a dependency's both vary
		}
		c *= own
		next := -1
		for _, d := range info.deps {
			if dc := &im.st[d].cur; dc.flat {
				c *= dc.value
			} else if next >= 0 {
				return 0, 0, false // two dependencies vary
			} else {
				next = d
			}
		}
		s = next
	}
}

// integrateThreshold is integrate for a service whose function in force
// varies by the hour, when it is of the single-threshold form. It reports
// false, having done nothing, when it is not, or when the service's
// profile and the threshold's differ and no cross table was built for the
// pair.
func (im *impact) integrateThreshold(s int, a, b float64) bool {
	m := im.r.m
	info := &m.svc[s]
	c, src, ok := im.threshold(s)
	if !ok {
		return false
	}
	sx := &im.st[src].cur
	p, q := info.profile, m.svc[src].profile
	var cross *crossTable
	if p != q && p.min != p.max {
		if cross = m.cross[p.idx*m.nVarying+q.idx]; cross == nil {
			return false
		}
	}
	outage, load := thresholdLoss(p, q, cross, c, sx.avail, m.svc[src].demand, sx.surge, im.r.week0+a, im.r.week0+b)
	st := &im.st[s]
	st.outage += outage
	st.userH += info.users * load
	st.reqs += info.requests * load
	st.rev += info.revenue * load
	return true
}

// thresholdLoss returns ∫ (1 - f) and ∫ p·(1 - f) over week hours [wa, wb]
// (0 ≤ wa ≤ wb) for f(h) = c·min(1, avail/(D·q(h)·surge)), 1 where q(h) =
// 0, with D, surge > 0: the partial hours at the ends one by one, the
// whole hours between from q's table and, where p is neither q nor
// constant, cross (p's against q's).
func thresholdLoss(p, q *profileTable, cross *crossTable, c, avail, D, surge, wa, wb float64) (outage, load float64) {
	h0, h1 := math.Floor(wa), math.Floor(wb)
	piece := func(k uint, w float64) {
		f := c
		if d := D * (q.at[k] * surge); avail < d {
			f = c * (avail / d)
		}
		lost := (1 - f) * w
		outage += lost
		load += p.at[k] * lost
	}
	k0 := uint(h0) % 168
	if h0 == h1 {
		piece(k0, wb-wa)
		return outage, load
	}
	piece(k0, h0+1-wa)
	piece(uint(h1)%168, wb-h1)
	n := uint(h1 - h0 - 1)
	if n == 0 {
		return outage, load
	}
	k := (k0 + 1) % 168
	r := q.thr.row(avail, D, surge)
	t := spanThr(&q.thr.rows[r], k, n)
	tau := avail / (D * surge)
	out := float64(n) - t.full // hours not served in full
	var dem, demOut, ratio float64
	switch {
	case p == q:
		dem, demOut, ratio = t.dem, t.demOut, out
	case p.min == p.max:
		dem, demOut, ratio = p.min*t.full, p.min*out, p.min*t.inv
	default:
		x := spanCross(&cross.rows[r], k, n)
		dem, demOut, ratio = x.dem, x.demOut, x.ratio
	}
	outage += (1-c)*t.full + max(0, out-c*tau*t.inv)
	load += (1-c)*dem + max(0, demOut-c*tau*ratio)
	return outage, load
}
