package model

import (
	"math"
	"slices"

	"github.com/dcsim/dcsim/sim"
)

// Background events.
const (
	bgFail   int32 = iota // A domain: its next independent failure
	bgRepair              // A pool, B servers: a failed unit is repaired
)

// background draws independent server, rack and PDU failures. Domain d's
// failures are one Poisson stream of rate
//
//	λ_d = n_d·λ_server + (n_d / rack_size)·λ_rack + (n_d / pdu_size)·λ_pdu
//
// (n_d servers), so their cost grows with the number of failures, never
// with the number of servers. A failure hits one pool, chosen in proportion
// to its servers.
type background struct {
	r    *Replication
	next bgDraw // a failure waiting for the normal path
}

// bgDraw is one background failure: k servers of pool i down for repair
// hours (k = 0: it hit nothing running).
type bgDraw struct {
	i      int
	k      int32
	repair float64
	kind   string
}

func (bg *background) init(r *Replication) { bg.r = r }

func (bg *background) start() {
	for d := 0; d < bg.r.m.nDom; d++ {
		bg.schedule(d)
	}
}

func (bg *background) schedule(d int) {
	r := bg.r
	total := r.m.bgRates[d][3]
	if total <= 0 {
		return
	}
	t := r.eng.Now() + sim.Time(r.st.dom[d].ExpFloat64()/total)
	if float64(t) < r.horizon {
		r.eng.Schedule(t, kindOf(unitBackground, bgFail), int32(d), 0)
	}
}

// draw draws the next background failure of domain d and schedules the
// one after it. It changes no pool.
func (bg *background) draw(d int) bgDraw {
	r := bg.r
	m := r.m
	rng := r.st.dom[d]
	x := &m.bgRates[d]
	a, b, c := x[0], x[1], x[2]
	rates := &m.Sc.Sites[m.domSite[d]].Failures
	u := rng.Float64() * (a + b + c)
	var size int32
	var rep sim.Dist
	kind := "server"
	switch {
	case u < a:
		size, rep = 1, rates.ServerRepair
	case u < a+b:
		size, rep, kind = int32(rates.RackSize), rates.RackRepair, "rack"
	default:
		size, rep, kind = int32(rates.PDUSize), rates.PDURepair, "PDU"
	}
	// The failed unit holds servers of one pool, chosen by pool size
	// (servers no service uses absorb their share).
	dom := &m.Sc.Sites[m.domSite[d]].Domains[m.domLocal[d]]
	pick := rng.IntN(max(1, dom.Servers))
	repair := rep.Sample(rng)
	bg.schedule(d)
	if !r.power.powered[d] {
		return bgDraw{}
	}
	// domPoolEnd[d][j] is the number of servers in the first j+1 pools.
	ends := m.domPoolEnd[d]
	j, _ := slices.BinarySearch(ends, int32(pick+1))
	if j == len(ends) {
		return bgDraw{} // an unused server
	}
	i := d*m.nSvc + m.domPools[d][j]
	k := min(size, r.fleet.up[i])
	if k <= 0 || !r.fleet.booted[i] {
		return bgDraw{}
	}
	return bgDraw{i: i, k: k, repair: repair, kind: kind}
}

// fail applies a background failure; quiet says it was proved not to
// change what any service serves, so no service needs re-evaluation.
func (bg *background) fail(b bgDraw, quiet bool) {
	if b.k == 0 {
		return
	}
	r := bg.r
	m := r.m
	d, s := b.i/m.nSvc, b.i%m.nSvc
	r.fleet.up[b.i] -= b.k
	r.fleet.bgDown[b.i] += b.k
	if quiet {
		r.svc.capSP[s*m.nSite+m.domSite[d]] -= b.k
	} else {
		r.svc.addCap(s, m.domSite[d], -b.k)
	}
	if r.tr != nil {
		r.event("failure", r.domName(d), "%s failure: %d servers of %s down for %.1fh", b.kind, b.k, r.svcName(s), b.repair)
	}
	r.eng.After(sim.Time(b.repair), kindOf(unitBackground, bgRepair), int32(b.i), b.k)
}

func (bg *background) repair(i int, k int32, quiet bool) {
	r := bg.r
	m := r.m
	d, s := i/m.nSvc, i%m.nSvc
	r.fleet.bgDown[i] -= k
	if r.power.powered[d] && r.fleet.booted[i] {
		r.fleet.up[i] += k
		if quiet {
			r.svc.capSP[s*m.nSite+m.domSite[d]] += k
		} else {
			r.svc.addCap(s, m.domSite[d], k)
		}
	}
}

func (bg *background) handle(local int32, ev sim.Event) {
	switch local {
	case bgFail:
		bg.fail(bg.next, false)
	case bgRepair:
		bg.repair(int(ev.A), ev.B, false)
	default:
		panic("model: unknown background event")
	}
}

// quiet handles a background failure or repair that cannot change what any
// service serves — its service is home, healthy and running with capacity
// to spare before and after — and reports whether it did. Such an event
// needs no re-evaluation, so the many background events of a large fleet
// cost little. Otherwise it leaves the change to the normal path (a
// failure's draw waits in next).
func (bg *background) quiet(local int32, ev sim.Event) bool {
	r := bg.r
	m := r.m
	switch local {
	case bgFail:
		b := bg.draw(int(ev.A))
		if b.k == 0 || !r.policy.FullBackground && bg.benign(b.i, -b.k) {
			bg.fail(b, true)
			return true
		}
		bg.next = b
		return false
	case bgRepair:
		i := int(ev.A)
		d := i / m.nSvc
		if !(r.power.powered[d] && r.fleet.booted[i]) || !r.policy.FullBackground && bg.benign(i, ev.B) {
			bg.repair(i, ev.B, true)
			return true
		}
	}
	return false
}

// benign reports whether changing pool i's running servers by delta leaves
// every serving fraction, pool state and pending decision as it is: the
// pool keeps its quorum; if it serves, its service serves fully at any hour
// before and after; and for an active-standby primary, neither "cannot
// carry the load" (which starts a failover) nor "can carry it with the
// surge" (which allows failing back) changes.
func (bg *background) benign(i int, delta int32) bool {
	r := bg.r
	m := r.m
	sv := &r.svc
	d, s := i/m.nSvc, i%m.nSvc
	p := m.domSite[d]
	svc := &m.Sc.Services[s]
	idx := s*m.nSite + p
	c0, c1 := sv.capSP[idx], sv.capSP[idx]+delta
	if !sv.running[idx] || c1 < m.quorum[idx] || m.svc[s].ovLimit > 0 || sv.surges[s] > 0 {
		return false // a service that can collapse, or under a surge, is always re-evaluated
	}
	serving := !sv.failingBack[s] && sv.partitioned[p] == 0 && (svc.Mode == ActiveActive || p == sv.active[s])
	if serving {
		full := m.demand[s] * svc.RetrySurge
		avail := sv.available(s)
		if avail < full || avail+float64(delta) < full {
			return false
		}
	}
	if svc.Mode == ActiveStandby && p == svc.Primary {
		down := m.Sc.RecoveredThreshold * m.demand[s]
		if (float64(c0) < down) != (float64(c1) < down) {
			return false
		}
		back := math.Min(float64(m.placed[idx]), m.demand[s]*svc.RetrySurge)
		if (float64(c0) < back) != (float64(c1) < back) {
			return false
		}
	}
	return true
}
