package model

import (
	"math"
)

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
// of s's profile. When f_s varies with one threshold only — s's servers
// fall short at busy hours and its dependencies serve constant fractions,
// or s has servers to spare and one dependency varies so — it costs
// O(log levels) through the threshold tables of threshold.go. Otherwise it
// is split at whole local hours, and only the hours at which s loses
// something are visited (see integrateHours).
type impact struct {
	r *Replication

	st []svcImpact // per service
	// zeroBy[s] is what held f_s at 0 at every hour at its last
	// evaluation, for a service that evaluating cannot change then
	// (Model.absorber; see services.absorbs): zeroOwn, its own servers
	// (none, or all its traffic rerouted), so f_s is 0 whatever its
	// dependencies serve; d ≥ 0, dependency d serving nothing, so f_s is 0
	// whatever the others serve; zeroNone otherwise. Apart from st, so
	// that the check for each dependent stays in cache.
	zeroBy  []int32
	changed []int // services whose function changes in this refresh
	stamp   uint32
	initial bool    // the first refresh: every function is new
	now     float64 // the time of the refresh under way

	// f_s at each hour of the week, for services that others depend on
	// and whose f_s depends on the hour: week[row].f[k], valid where its
	// valid set says so (emptied whenever f_s changes), so each value is
	// computed once per change. Only services with dependents have a row
	// (row -1 otherwise): no one asks for the others' values, and the
	// table stays small enough to stay in cache.
	week []memoRow
	// integrateHours' scratch: the memo rows and services of the
	// dependencies that vary by the hour.
	rows [16]*memoRow
	hd   [16]int32
}

// memoRow is f_s at the hours of the week in valid, under the function in
// force.
type memoRow struct {
	valid hourSet
	f     [168]float64
}

// svcImpact is one service's integration state, in one place so that
// evaluating a service touches a few cache lines, not one per array.
type svcImpact struct {
	nxt   fn      // the function refresh is building
	mark  uint32  // == stamp: the function changes in this refresh
	row   int32   // the memo row, -1 for none
	cur   fn      // the serving function in force
	since float64 // cur holds from since

	outage, userH, reqs, rev float64 // integrated losses

	// full: hours of the week at which f_s under cur is exactly 1 for
	// certain, once fullOK (worked out when a long interval is integrated
	// under a function that depends on the hour): integration skips them,
	// as they lose nothing.
	full   hourSet
	fullOK bool
}

// fn is what a service's serving function over time depends on, frozen
// between changes: servers available, reroute loss, demand multiplier and
// the fraction served at zero demand (0 when nothing at the active site can
// serve), and whether f_s is the constant value.
type fn struct {
	avail, reroute, surge, zero float64
	value                       float64 // f_s when flat
	// depsFlat: every dependency's f is constant, with product depValue,
	// so f_s(h) = own_s(h)·depValue needs no recursion.
	depValue       float64
	flat, depsFlat bool
}

func (im *impact) init(r *Replication) {
	n := r.m.nSvc
	im.r = r
	im.st = make([]svcImpact, n)
	im.zeroBy = make([]int32, n)
	rows := 0
	for s := range im.st {
		im.st[s].row = -1
		if len(r.m.dependents[s]) > 0 {
			im.st[s].row = int32(rows)
			rows++
		}
	}
	im.week = make([]memoRow, rows)
}

func (im *impact) reset() {
	for s := range im.st {
		x := &im.st[s]
		x.since, x.outage, x.userH, x.reqs, x.rev = 0, 0, 0, 0, 0
	}
	for k := range im.week {
		im.week[k].valid = hourSet{}
	}
	for s := range im.zeroBy {
		im.zeroBy[s] = zeroNone
	}
	im.initial = true
}

// What holds a service's f at 0 (impact.zeroBy).
const (
	zeroNone int32 = -2 // nothing: f_s may change with any dependency
	zeroOwn  int32 = -1 // its own servers: f_s is 0 whatever they serve
)

// begin starts a refresh at time now.
func (im *impact) begin(now float64) {
	im.now = now
	im.stamp++
	if im.stamp == 0 { // wrapped: old marks could collide
		for s := range im.st {
			im.st[s].mark = 0
		}
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
	reroute, surge, zero := sv.hot[s].reroute, sv.hot[s].loadMul, 1.0
	if !sv.hot[s].healthy {
		surge *= info.surge
	}
	if avail == 0 && m.placed[s*m.nSite+sv.hot[s].active] > 0 {
		zero = 0
	}
	st := &im.st[s]
	c := &st.cur
	change := im.initial || avail != c.avail || reroute != c.reroute || surge != c.surge || zero != c.zero
	// One pass over the dependencies: whether one changed in this refresh,
	// and the products f_s needs if s changes (almost always: s is
	// evaluated because something it depends on moved). The products are
	// taken in dependency order, as everywhere f_s is computed.
	flat, value := ownFlat(info, avail, reroute, surge, zero)
	nothing := flat && value == 0
	zeroBy := zeroNone
	if nothing {
		zeroBy = zeroOwn
	}
	depsFlat, depValue := true, 1.0
	stamp := im.stamp
	for _, d := range info.deps {
		e := &im.st[d]
		if e.mark == stamp {
			change = true
		}
		dn := &e.nxt
		if dn.flat {
			if dn.value == 0 {
				nothing = true
				if zeroBy == zeroNone {
					zeroBy = int32(d)
				}
			}
		} else {
			flat, depsFlat = false, false
		}
		value *= dn.value
		depValue *= dn.value
	}
	if !change {
		// Neither s nor anything it depends on changed: its function
		// (still in nxt[s], equal to cur[s]) stays in force.
		return false
	}
	switch {
	case nothing:
		// Nothing served at any hour, whatever the other factors.
		flat, value = true, 0
	case !flat:
		value = math.NaN()
	}
	st.nxt = fn{avail: avail, reroute: reroute, surge: surge, zero: zero, value: value,
		depValue: depValue, flat: flat, depsFlat: depsFlat}
	if !m.absorber[s] {
		zeroBy = zeroNone
	}
	im.zeroBy[s] = zeroBy
	if flat && c.flat && value == c.value && !im.initial {
		// The same constant as before: s loses at the same rate, so the
		// interval under way goes on (its integral is taken once, at the
		// next real change), and nothing that depends on s sees a change.
		st.cur = st.nxt
		return false
	}
	// Integrate up to now under the functions in force — the old ones of s
	// and of everything it depends on, none of which commit has replaced
	// yet — while s's state is in cache, and put the new function in force
	// at commit.
	im.integrate(s, st.since, im.now)
	im.changed = append(im.changed, s)
	st.mark = stamp
	return true
}

// fullHours returns, for s whose function in force depends on the hour,
// the hours at which f_s = own_s·Π f_d is exactly 1: where no traffic is
// rerouted, own_s is 1 and every dependency's f_d is 1 (its constant, or
// its own full hours under the function in force, which is the one s's
// was built on). Every factor is at most 1, and a product of such
// floating-point factors is 1 only if each is, so the set is exact where
// it says "full"; an hour it leaves out is computed as before. Worked out
// once per function.
func (im *impact) fullHours(s int) *hourSet {
	x := &im.st[s]
	if x.fullOK {
		return &x.full
	}
	x.full, x.fullOK = hourSet{}, true
	c := &x.cur
	if c.reroute != 0 {
		return &x.full
	}
	info := &im.r.m.svc[s]
	x.full = info.profile.served(c.avail, info.demand, c.surge)
	for _, d := range info.deps {
		if dc := &im.st[d].cur; !dc.flat {
			x.full.and(im.fullHours(d))
		} else if dc.value != 1 {
			x.full = hourSet{}
			break
		}
	}
	return &x.full
}

// ownFlat reports whether own_s(h) is the same at every hour for a
// service with avail servers, reroute loss, demand multiplier surge and
// zero-demand fraction zero, and that value.
func ownFlat(info *svcInfo, avail, reroute, surge, zero float64) (bool, float64) {
	keep := 1 - reroute
	pr := info.profile
	D := info.demand
	switch {
	case keep == 0:
		return true, 0
	case D == 0:
		// Demand D·p(h) is zero at every hour: own is zero·keep where
		// p(h) > 0 and keep where p(h) = 0.
		return zero == 1 || pr.min > 0, zero * keep
	case avail >= D*surge*pr.max:
		return true, keep
	case avail == 0 && pr.min > 0:
		return true, 0
	}
	return false, 0
}

// commit puts in force the new functions of the services prepare
// integrated up to now under their old ones.
func (im *impact) commit(now float64) {
	for _, s := range im.changed {
		x := &im.st[s]
		x.cur = x.nxt
		x.since = now
		x.fullOK = false
		if x.row >= 0 {
			im.week[x.row].valid = hourSet{}
		}
	}
	im.initial = false
}

// finish integrates every service up to end.
func (im *impact) finish(end float64) {
	for s := range im.st {
		im.integrate(s, im.st[s].since, end)
		im.st[s].since = end
	}
}

// integrate adds s's losses over [a, b] under the functions in force.
func (im *impact) integrate(s int, a, b float64) {
	if !(b > a) {
		return
	}
	m := im.r.m
	info := &m.svc[s]
	c := &im.st[s].cur
	wh0 := im.r.week0
	if c.flat {
		if c.value >= 1 {
			return
		}
		loss := 1 - c.value
		x := &im.st[s]
		x.outage += loss * (b - a)
		load := info.profile.integral(wh0+a, wh0+b)
		x.userH += info.users * load * loss
		x.reqs += info.requests * load * loss
		x.rev += info.revenue * load * loss
		return
	}
	if im.integrateThreshold(s, a, b) {
		return
	}
	im.integrateHours(s, a, b)
}

// integrateHours is integrate for a service whose f_s depends on the hour:
// the interval is split at whole local hours — a first and a last piece
// and the whole hours between, of weight exactly 1 — and each piece at
// which s may lose something costs f_s(h) = own_s(h)·c·Π_d f_d(h), where c
// is the product of the dependencies that serve a constant fraction and
// the product runs over the others, each through its memoised hourly
// value; the hours known to be full (fullHours) are stepped over a run at
// a time, found by a bit scan, not visited. Losses are summed as hours and
// demand-weighted hours, and scaled to users, requests and revenue once.
// s's own f_s is not memoised: no service asks for it again while it
// integrates.
func (im *impact) integrateHours(s int, a, b float64) {
	m := im.r.m
	info := &m.svc[s]
	c := &im.st[s].cur
	at := &info.profile.at
	D, keep := info.demand, 1-c.reroute
	wh0 := im.r.week0
	// The dependencies: their constant product cf, and up to 16 that vary
	// by the hour, by memo row (rows) and service (hd); past 16, every
	// one through value.
	cf := c.depValue
	rows, hd := im.rows[:0], im.hd[:0]
	deps := info.deps
	slow := false
	if !c.depsFlat {
		cf = 1
		for _, d := range deps {
			if dn := &im.st[d].cur; dn.flat {
				cf *= dn.value
			} else if len(rows) < cap(rows) {
				rows = append(rows, &im.week[im.st[d].row])
				hd = append(hd, int32(d))
			} else {
				slow = true
			}
		}
	}
	// Over a few hours the full hours cost more to find than they save.
	full := &hourSet{}
	if b-a > fullAfter {
		full = im.fullHours(s)
	}
	skip := *full != hourSet{}
	var lostH, lostLoad float64
	// The interval covers the week hours from ⌊wa⌋ to ⌊wb⌋: a first piece
	// of weight ⌊wa⌋+1-wa, whole hours of weight 1, and a last piece of
	// weight wb-⌊wb⌋. k is the hour of the week of the piece at hand (wa ≥
	// 0), left the pieces after it, w its weight.
	wa, wb := wh0+a, wh0+b
	h0, h1 := math.Floor(wa), math.Floor(wb)
	k := uint(h0) % 168
	left := uint(h1 - h0)
	w := h0 + 1 - wa
	if left == 0 {
		w = wb - wa
	}
	for {
		if !skip || !full.has(k) {
			load := at[k]
			f := keep
			if load > 0 {
				own := c.zero
				if d := D * (load * c.surge); d > 0 {
					own = 1
					if c.avail < d {
						own = c.avail / d
					}
				}
				f = own * keep
			}
			f *= cf
			if slow {
				for _, d := range deps {
					if !im.st[d].cur.flat {
						f *= im.value(d, int(k))
					}
				}
			} else {
				for j, row := range rows {
					if row.valid.has(k) {
						f *= row.f[k]
					} else {
						f *= im.value(int(hd[j]), int(k))
					}
				}
			}
			if lost := (1 - f) * w; lost > 0 {
				lostH += lost
				lostLoad += load * lost
			}
		}
		if left == 0 {
			break
		}
		// On to the next hour that is not full: the ones between lose
		// nothing, whatever their weight.
		k++
		if k == 168 {
			k = 0
		}
		if skip {
			step := full.lossFrom(k)
			if step >= left {
				break // the rest of the interval is full
			}
			left -= step
			k += step
			if k >= 168 {
				k -= 168
			}
		}
		left--
		w = 1
		if left == 0 {
			w = wb - h1
		}
	}
	st := &im.st[s]
	st.outage += lostH
	st.userH += info.users * lostLoad
	st.reqs += info.requests * lostLoad
	st.rev += info.revenue * lostLoad
}

// fullAfter is the interval, in hours, from which integrateHours skips
// the hours at which nothing is lost.
const fullAfter = 6

// value is f_s at hour k of the week under the functions in force, for a
// service that others depend on (one with a memo row).
func (im *impact) value(s, k int) float64 {
	st := &im.st[s]
	c := &st.cur
	if c.flat {
		return c.value
	}
	row := &im.week[st.row]
	if row.valid.has(uint(k)) {
		return row.f[k]
	}
	m := im.r.m
	info := &m.svc[s]
	load := info.profile.at[k]
	f := 1 - c.reroute
	if load > 0 {
		d := info.demand * (load * c.surge)
		own := 1.0
		if d > 0 {
			if c.avail < d {
				own = c.avail / d
			}
		} else {
			own = c.zero
		}
		f = own * (1 - c.reroute)
	}
	for _, d := range info.deps {
		f *= im.value(d, k)
	}
	row.f[k] = f
	row.valid[k>>6] |= 1 << (k & 63)
	return f
}
