package model

import "math"

// impact integrates each service's users, requests and revenue lost,
// exactly, against its demand profile. Service s serves, at week hour h,
//
//	f_s(h) = own_s(h) · Π_{d ∈ deps(s)} f_d(h)
//	own_s(h) = min(1, avail_s / (D_s · p_s(h) · surge_s)) · (1 - reroute_s)   (p_s(h) > 0)
//	own_s(h) = 1 - reroute_s                                                (p_s(h) = 0)
//
// and loses, over an interval,
//
//	outage_s = ∫ (1 - f_s) dt,   users_s = U_s ∫ p_s(h)·(1 - f_s(h)) dt
//
// (requests and revenue likewise). Between two changes of s or of a
// service it depends on, every term but p(h) is constant, so integration is
// lazy: s is integrated only when its serving function is about to change
// (refresh) and at the end. When f_s does not depend on the hour — the
// common case: s and everything it needs either serve fully at any demand,
// or nothing — an interval costs O(1) through the cumulative demand table
// of s's profile; otherwise it is split at whole local hours, as few as the
// interval spans.
type impact struct {
	r *Replication

	cur, nxt []fn      // the serving function in force, and the one refresh is building
	since    []float64 // cur[s] holds from since[s]
	mark     []uint32  // mark[s] == stamp: s's function changes in this refresh
	changed  []int     // services whose function changes in this refresh
	stamp    uint32
	initial  bool // the first refresh: every function is new

	// f_s at each hour of the week, for services whose f_s depends on the
	// hour: valid where at[s][k] == ver[s] (ver[s] changes whenever f_s
	// does), so each value is computed once per change.
	week [][168]memoEntry
	ver  []uint32

	outage, userH, reqs, rev []float64
}

// fn is what a service's serving function over time depends on, frozen
// between changes: servers available, reroute loss, demand multiplier and
// the fraction served at zero demand (0 when nothing at the active site can
// serve), and whether f_s is the constant value.
type fn struct {
	avail, reroute, surge, zero float64
	flat                        bool
	value                       float64 // f_s when flat
	// depsFlat: every dependency's f is constant, with product depValue,
	// so f_s(h) = own_s(h)·depValue needs no recursion.
	depsFlat bool
	depValue float64
}

func (im *impact) init(r *Replication) {
	n := r.m.nSvc
	im.r = r
	im.cur = make([]fn, n)
	im.nxt = make([]fn, n)
	im.since = make([]float64, n)
	im.mark = make([]uint32, n)
	im.week = make([][168]memoEntry, n)
	im.ver = make([]uint32, n)
	im.outage = make([]float64, n)
	im.userH = make([]float64, n)
	im.reqs = make([]float64, n)
	im.rev = make([]float64, n)
}

func (im *impact) reset() {
	clear(im.since)
	clear(im.outage)
	clear(im.userH)
	clear(im.reqs)
	clear(im.rev)
	im.initial = true
}

// begin starts a refresh.
func (im *impact) begin() {
	im.stamp++
	if im.stamp == 0 { // wrapped: old marks could collide
		clear(im.mark)
		im.stamp = 1
	}
	im.changed = im.changed[:0]
}

// prepare computes s's serving function from its state now (its
// dependencies' are already prepared, in dependency order), queues s for
// integration if anything it depends on changed, and reports whether f_s
// itself changed — what the services that depend on s must know.
func (im *impact) prepare(s int, avail float64) bool {
	r := im.r
	m := r.m
	sv := &r.svc
	info := &m.svc[s]
	x := fn{avail: avail, reroute: sv.reroute[s], surge: sv.loadMul[s], zero: 1}
	if !sv.healthy[s] {
		x.surge *= info.surge
	}
	if x.avail == 0 && m.placed[s*m.nSite+sv.active[s]] > 0 {
		x.zero = 0
	}
	c := &im.cur[s]
	change := im.initial || x.avail != c.avail || x.reroute != c.reroute || x.surge != c.surge || x.zero != c.zero
	for _, d := range info.deps {
		if im.mark[d] == im.stamp {
			change = true
		}
	}
	if !change {
		// Neither s nor anything it depends on changed: its function
		// (still in nxt[s], equal to cur[s]) stays in force.
		return false
	}
	x.flat, x.value = im.ownFlat(s, &x)
	zero := x.flat && x.value == 0
	x.depsFlat, x.depValue = true, 1
	for _, d := range info.deps {
		dn := &im.nxt[d]
		x.flat = x.flat && dn.flat
		x.value *= dn.value
		x.depsFlat = x.depsFlat && dn.flat
		x.depValue *= dn.value
		zero = zero || dn.flat && dn.value == 0
	}
	switch {
	case zero:
		// Nothing served at any hour, whatever the other factors.
		x.flat, x.value = true, 0
	case !x.flat:
		x.value = math.NaN()
	}
	im.nxt[s] = x
	// Integrate up to now and put the new function in force; but if f_s is
	// the same constant as before, nothing that depends on s sees a change.
	im.changed = append(im.changed, s)
	if x.flat && c.flat && x.value == c.value && !im.initial {
		return false
	}
	im.mark[s] = im.stamp
	return true
}

// ownFlat reports whether own_s(h) is the same at every hour under x, and
// that value.
func (im *impact) ownFlat(s int, x *fn) (bool, float64) {
	m := im.r.m
	keep := 1 - x.reroute
	pr := m.profile[s]
	D := m.demand[s]
	switch {
	case keep == 0:
		return true, 0
	case D == 0:
		// Demand D·p(h) is zero at every hour: own is x.zero·keep where
		// p(h) > 0 and keep where p(h) = 0.
		return x.zero == 1 || pr.min > 0, x.zero * keep
	case x.avail >= D*x.surge*pr.max:
		return true, keep
	case x.avail == 0 && pr.min > 0:
		return true, 0
	}
	return false, 0
}

// commit integrates every service whose function changes up to now under
// its old function, then puts the new ones in force.
func (im *impact) commit(now float64) {
	for _, s := range im.changed {
		im.integrate(s, im.since[s], now)
	}
	for _, s := range im.changed {
		im.cur[s] = im.nxt[s]
		im.since[s] = now
		im.ver[s]++
		if im.ver[s] == 0 { // wrapped: stale entries could match
			clear(im.week[s][:])
			im.ver[s] = 1
		}
	}
	im.initial = false
}

// finish integrates every service up to end.
func (im *impact) finish(end float64) {
	for s := range im.cur {
		im.integrate(s, im.since[s], end)
		im.since[s] = end
	}
}

// integrate adds s's losses over [a, b] under the functions in force.
func (im *impact) integrate(s int, a, b float64) {
	if !(b > a) {
		return
	}
	m := im.r.m
	info := &m.svc[s]
	c := &im.cur[s]
	wh0 := im.r.week0
	if c.flat {
		if c.value >= 1 {
			return
		}
		loss := 1 - c.value
		im.outage[s] += loss * (b - a)
		load := m.profile[s].integral(wh0+a, wh0+b)
		im.userH[s] += info.users * load * loss
		im.reqs[s] += info.requests * load * loss
		im.rev[s] += info.revenue * load * loss
		return
	}
	if c.depsFlat {
		im.integrateOwn(s, a, b)
		return
	}
	for x := a; x < b; {
		wh := wh0 + x
		y := math.Min(b, x+(math.Floor(wh)+1-wh))
		if y <= x {
			y = math.Min(b, x+1e-9)
		}
		lost := (1 - im.value(s, wh)) * (y - x)
		if lost > 0 {
			load := m.profile[s].hour(wh)
			im.outage[s] += lost
			im.userH[s] += info.users * load * lost
			im.reqs[s] += info.requests * load * lost
			im.rev[s] += info.revenue * load * lost
		}
		x = y
	}
}

// integrateOwn is integrate for a service whose dependencies all serve a
// constant fraction: f_s(h) = own_s(h)·depValue, evaluated piece by piece
// without recursion or memo.
func (im *impact) integrateOwn(s int, a, b float64) {
	m := im.r.m
	info := &m.svc[s]
	c := &im.cur[s]
	pt := m.profile[s]
	D, keep := m.demand[s], 1-c.reroute
	outage, userH, reqs, rev := im.outage[s], im.userH[s], im.reqs[s], im.rev[s]
	for x := a; x < b; {
		wh := im.r.week0 + x
		y := math.Min(b, x+(math.Floor(wh)+1-wh))
		if y <= x {
			y = math.Min(b, x+1e-9)
		}
		load := pt.hour(wh)
		f := keep
		if load > 0 {
			own := c.zero
			if d := D * (load * c.surge); d > 0 {
				own = math.Min(1, c.avail/d)
			}
			f = own * keep
		}
		if lost := (1 - f*c.depValue) * (y - x); lost > 0 {
			outage += lost
			userH += info.users * load * lost
			reqs += info.requests * load * lost
			rev += info.revenue * load * lost
		}
		x = y
	}
	im.outage[s], im.userH[s], im.reqs[s], im.rev[s] = outage, userH, reqs, rev
}

// value is f_s at week hour wh under the functions in force.
func (im *impact) value(s int, wh float64) float64 {
	c := &im.cur[s]
	if c.flat {
		return c.value
	}
	k := int(wh) % 168
	e := &im.week[s][k]
	if e.ver == im.ver[s] {
		return e.f
	}
	m := im.r.m
	load := m.profile[s].hour(wh)
	f := 1 - c.reroute
	if load > 0 {
		d := m.demand[s] * (load * c.surge)
		own := 1.0
		if d > 0 {
			own = math.Min(1, c.avail/d)
		} else {
			own = c.zero
		}
		f = own * (1 - c.reroute)
	}
	for _, d := range m.svc[s].deps {
		f *= im.value(d, wh)
	}
	e.f, e.ver = f, im.ver[s]
	return f
}

// memoEntry is f_s at one hour of the week, valid while ver matches the
// service's.
type memoEntry struct {
	f   float64
	ver uint32
}

// profileTable is a demand profile over the 168 hours of a week, with its
// running sum for O(1) integrals.
type profileTable struct {
	at       [168]float64
	cum      [169]float64 // cum[h] = Σ_{k<h} at[k]
	min, max float64
}

func newProfileTable(p *Profile) *profileTable {
	t := &profileTable{min: math.Inf(1)}
	for h := range t.at {
		t.at[h] = p.At(float64(h))
		t.cum[h+1] = t.cum[h] + t.at[h]
		t.min = math.Min(t.min, t.at[h])
		t.max = math.Max(t.max, t.at[h])
	}
	return t
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
