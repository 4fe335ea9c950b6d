package model

import (
	"math"

	"github.com/dcsim/dcsim/sim"
)

// Service events.
const (
	svDetect        int32 = iota // A service: failover decision
	svFailoverDone               // A service
	svFailbackDone               // A service
	svRerouted                   // A service, B site: traffic shifted away from the site
	svRestoreDone                // A service, B site: its instances there run again
	svOverloadCheck              // A service, B epoch: demand may cross its overload limit
	svShed                       // A service: load is shed after a collapse
	svRelocate                   // A service, B epoch: its relocation lead time is over
	svDataRestored               // A service: its data is restored from backup (data.go)
	svRelocateGo                 // A service: capacity for it at its relocate site
)

// services holds what each service runs and serves: the servers up per
// (service, site) pool, whether the pool's instances run, where an
// active-standby service serves from, failovers, reroutes, restorations,
// and each service's serving fraction at peak demand and health.
//
// Cost follows what changed: a unit that changes a service's inputs
// touches it, and refresh re-evaluates only touched services and, along
// the dependency graph, the services whose inputs changed because of them.
type services struct {
	r *Replication

	// per (service, site), index s*nSite+p
	pool []poolState

	// per service
	hot         []svcHot  // what evaluating a service reads, in one place
	peaks       []float64 // each fPeak, for the tracer
	foAttempt   []int32
	foAutoTried []bool
	foSucceeds  []bool  // the failover under way will work
	foRetries   []int32 // failed attempts in the current outage
	foGaveUp    []bool  // stop failing over until the primary is back
	foWaitTools []bool  // a manual failover waits for failover.manual_requires
	foWaitStaff []bool  // a manual failover waits for operations.failover_staff
	foManual    []bool  // the failover under way is manual (holds one of failover_staff)
	manualBusy  int     // manual failovers under way
	staffQ      []int32 // services whose manual failover waits for staff (policy.go)
	recovered   []float64
	data        []float64 // seconds of writes lost
	ovEpoch     []int32   // supersedes scheduled overload checks
	relEpoch    []int32   // supersedes a scheduled relocation
	relWaiting  []bool    // waiting for capacity at its relocate site
	relReserved []int64   // per site, servers promised to relocated services
	// cuts are the partitions between regions under way: cuts[k][p] is 1
	// or 2 for a site on either side of the k-th, 0 for one on neither.
	cuts   [][]int8
	surges []int32 // traffic surges under way

	partitioned []int32 // per site, partitions cutting it off
	siteIDs     []int   // siteIDs[p] = p: one-element slices of a site

	restoreQ  restoreQueue
	crewsBusy int

	// dirty sets: by service index (pool checks and decisions, in index
	// order) and by position in the dependency order (serving fractions).
	dirty, topoDirty indexSet
	restless         int // services not calm
	opsDown          int // ops-tool services not healthy
}

func (sv *services) init(r *Replication) {
	m := r.m
	sv.r = r
	n := m.nSvc * m.nSite
	sv.pool = make([]poolState, n)
	ns := m.nSvc
	sv.hot = make([]svcHot, ns)
	sv.foAttempt = make([]int32, ns)
	sv.foAutoTried = make([]bool, ns)
	sv.foSucceeds = make([]bool, ns)
	sv.foRetries = make([]int32, ns)
	sv.foGaveUp = make([]bool, ns)
	sv.foWaitTools = make([]bool, ns)
	sv.foManual = make([]bool, ns)
	sv.foWaitStaff = make([]bool, ns)
	sv.staffQ = make([]int32, 0, ns)
	sv.recovered = make([]float64, ns)
	sv.data = make([]float64, ns)
	sv.ovEpoch = make([]int32, ns)
	sv.relEpoch = make([]int32, ns)
	sv.relWaiting = make([]bool, ns)
	sv.relReserved = make([]int64, m.nSite)
	sv.surges = make([]int32, ns)
	sv.partitioned = make([]int32, m.nSite)
	sv.siteIDs = make([]int, m.nSite)
	for p := range sv.siteIDs {
		sv.siteIDs[p] = p
	}
	sv.restoreQ.init(m)
	sv.dirty.init(ns)
	sv.topoDirty.init(ns)
}

func (sv *services) reset() {
	m := sv.r.m
	for i := range sv.pool {
		sv.pool[i] = poolState{up: m.placed[i], quorum: m.quorum[i], running: true}
	}
	sv.restoreQ.reset()
	sv.crewsBusy = 0
	clear(sv.partitioned)
	clear(sv.relReserved)
	sv.cuts = sv.cuts[:0]
	for s := range m.Sc.Services {
		sv.hot[s].active = m.svc[s].primary
		sv.hot[s].foPending, sv.foAutoTried[s], sv.hot[s].failingBack, sv.foSucceeds[s] = false, false, false, false
		sv.foAttempt[s] = 0
		sv.foRetries[s], sv.foGaveUp[s], sv.foWaitTools[s], sv.foManual[s] = 0, false, false, false
		sv.foWaitStaff[s] = false
		sv.hot[s].reroute = 0
		sv.hot[s].fPeak = math.NaN() // so the first refresh reports serving
		sv.hot[s].healthy = true
		sv.hot[s].everImp = false
		sv.recovered[s] = 0
		sv.data[s] = 0
		sv.hot[s].calm = true
		sv.hot[s].collapsed, sv.hot[s].shedding = false, false
		sv.hot[s].loadMul, sv.surges[s] = 1, 0
		sv.hot[s].relocated, sv.relWaiting[s] = false, false
		sv.touch(s)
	}
	sv.restless = 0
	sv.opsDown = 0
	sv.manualBusy = 0
	sv.staffQ = sv.staffQ[:0]
}

func (sv *services) settled() bool {
	return sv.restless == 0 && sv.restoreQ.len() == 0 && sv.crewsBusy == 0
}

// touch marks service s for re-evaluation at the end of the event.
func (sv *services) touch(s int) {
	sv.dirty.add(s)
	sv.topoDirty.add(int(sv.r.m.topoPos[s]))
}

// addCap changes the servers up of service s at site p by delta. While
// the pool's instances are stopped its servers serve nothing, so only the
// pool checks (quorum regained: queue a restore) need to see the change.
func (sv *services) addCap(s, p int, delta int32) {
	i := s*sv.r.m.nSite + p
	sv.pool[i].up += delta
	if sv.pool[i].running {
		sv.touch(s)
	} else {
		sv.dirty.add(s)
	}
}

// serves marks s for re-evaluation of its serving fraction: the pool
// checks and decisions changed what it serves or whether it is calm.
func (sv *services) serves(s int) { sv.topoDirty.add(int(sv.r.m.topoPos[s])) }

// cutOff starts a partition of site p: traffic still aimed at its
// active-active instances fails until it is rerouted.
func (sv *services) cutOff(p int) {
	r := sv.r
	m := r.m
	sv.partitioned[p]++
	for _, s := range m.siteSvcs[p] {
		sv.touch(s)
		if sv.partitioned[p] > 1 {
			continue
		}
		svc := &m.Sc.Services[s]
		if i := s*m.nSite + p; svc.Mode == ActiveActive && sv.pool[i].running {
			sv.hot[s].reroute = math.Min(1, sv.hot[s].reroute+m.share[i])
			r.eng.After(sim.Time(svc.Reroute.Sample(r.st.fail[s])), kindOf(unitServices, svRerouted), int32(s), int32(p))
		}
	}
}

// surge multiplies the demand of s by mult (a traffic surge starts);
// unsurge divides it out again, and once no surge is under way the
// multiplier is exactly 1.
func (sv *services) surge(s int, mult float64) {
	sv.surges[s]++
	sv.hot[s].loadMul *= mult
	sv.touch(s)
}

func (sv *services) unsurge(s int, mult float64) {
	sv.surges[s]--
	if sv.surges[s] == 0 {
		sv.hot[s].loadMul = 1
	} else {
		sv.hot[s].loadMul /= mult
	}
	sv.touch(s)
}

// reconnect ends one partition of site p.
func (sv *services) reconnect(p int) {
	sv.partitioned[p]--
	for _, s := range sv.r.m.siteSvcs[p] {
		sv.touch(s)
	}
}

func (sv *services) handle(local int32, ev sim.Event) {
	r := sv.r
	s := int(ev.A)
	if local == svOverloadCheck && ev.B != sv.ovEpoch[s] || local == svRelocate && ev.B != sv.relEpoch[s] {
		return // superseded
	}
	sv.touch(s)
	switch local {
	case svDetect:
		sv.detect(s)
	case svFailoverDone:
		sv.failoverDone(s)
	case svFailbackDone:
		sv.hot[s].failingBack = false
		if r.tr != nil {
			r.event("failback", r.svcName(s), "serving from %s again", r.siteName(sv.hot[s].active))
		}
	case svRerouted:
		p := int(ev.B)
		sv.hot[s].reroute = math.Max(0, sv.hot[s].reroute-r.m.share[s*r.m.nSite+p])
		if r.tr != nil {
			r.event("rerouted", r.svcName(s), "traffic shifted away from %s", r.siteName(p))
		}
	case svRestoreDone:
		sv.restoreDone(s, int(ev.B))
	case svOverloadCheck:
	case svShed:
		sv.shed(s)
	case svRelocate:
		sv.requestCapacity(s)
	case svRelocateGo:
		sv.relWaiting[s] = false
		if !sv.hot[s].healthy {
			sv.relocate(s)
		}
	case svDataRestored:
		r.data.restoreDone(s)
	default:
		panic("model: unknown service event")
	}
}

// available returns the servers serving s now.
func (sv *services) available(s int) float64 {
	m := sv.r.m
	x := &m.svc[s]
	if sv.hot[s].collapsed || len(sv.cuts) > 0 && !sv.reachesDeps(s) {
		return 0
	}
	if x.mode == modeActive {
		sum := 0.0
		for _, p := range x.sites {
			i := s*m.nSite + p
			if sv.pool[i].running && sv.partitioned[p] == 0 {
				sum += float64(sv.pool[i].up)
			}
		}
		return sum
	}
	if sv.hot[s].failingBack {
		return 0
	}
	p := sv.hot[s].active
	i := s*m.nSite + p
	if sv.pool[i].running && sv.partitioned[p] == 0 {
		return float64(sv.pool[i].up)
	}
	return 0
}

// ownFraction is min(1, avail / (demand·load)) × (1 - reroute loss), for
// avail servers serving s.
func (sv *services) ownFraction(s int, avail, load float64) float64 {
	m := sv.r.m
	d := m.svc[s].demand * load * sv.hot[s].loadMul
	f := 1.0
	if d > 0 {
		// min(1, avail/d) without math.Min's call (the same value: the
		// quotient is never -0 and a NaN stays NaN).
		if f = avail / d; f >= 1 {
			f = 1
		}
	} else if avail == 0 && m.placed[s*m.nSite+sv.hot[s].active] > 0 {
		f = 0
	}
	return f * (1 - sv.hot[s].reroute)
}

// refresh re-evaluates the touched services after an event: pools that
// lost quorum stop, stopped pools with quorum queue for restore, failovers
// and failbacks start (in service order); then, in dependency order, each
// touched service's peak serving fraction and health are updated and, where
// they or its serving function changed, its dependents are re-evaluated too.
func (sv *services) refresh(now float64) {
	r := sv.r
	m := r.m
	for {
		s, ok := sv.dirty.pop()
		if !ok {
			break
		}
		sv.checkPools(s)
		sv.maybeFailback(s)
		sv.maybeFailover(s)
	}
	anyChange := false
	r.imp.begin(now)
	for {
		k, ok := sv.topoDirty.pop()
		if !ok {
			break
		}
		if sv.evaluate(m.Sc.Order[k], now) {
			anyChange = true
		}
	}
	r.imp.commit(now)
	if anyChange && r.tr != nil {
		sv.peaks = sv.peaks[:0]
		for s := range sv.hot {
			sv.peaks = append(sv.peaks, sv.hot[s].fPeak)
		}
		r.tr.Serving(now, sv.peaks)
	}
}

// checkPools stops pools of s that lost quorum and queues stopped pools
// that have it again for restore.
func (sv *services) checkPools(s int) {
	r := sv.r
	m := r.m
	x := &m.svc[s]
	gone := r.data.missing(s) // no copy of its data: nothing may run
	for _, p := range x.sites {
		i := s*m.nSite + p
		need := sv.pool[i].quorum
		if sv.pool[i].running && (sv.pool[i].up < need || gone) {
			sv.pool[i].running = false
			sv.serves(s)
			if r.tr != nil {
				r.event("pool-down", r.svcName(s), "instances at %s stopped (%d of %d servers up)", r.siteName(p), sv.pool[i].up, m.placed[i])
			}
			if x.mode == modeActive {
				sv.hot[s].reroute = math.Min(1, sv.hot[s].reroute+m.share[i])
				dt := m.draws[s].reroute.Sample(r.st.fail[s])
				r.eng.After(sim.Time(dt), kindOf(unitServices, svRerouted), int32(s), int32(p))
			}
		}
		if !sv.pool[i].running && !sv.pool[i].restoring && sv.pool[i].up >= need {
			if gone {
				r.data.startRestore(s, p) // the data first
				continue
			}
			sv.pool[i].restoring = true
			sv.restoreQ.push(m, restoreReq{svc: s, site: p})
		}
	}
}

// evaluate updates s's peak serving fraction, health and calm, and reports
// whether the peak fraction changed; when it or s's serving function
// changed (or, under recovered = "capacity", its health), s's dependents
// are marked for evaluation.
func (sv *services) evaluate(s int, now float64) bool {
	r := sv.r
	m := r.m
	avail := sv.available(s)
	f := sv.ownFraction(s, avail, 1)
	for _, d := range m.svc[s].deps {
		f *= sv.hot[d].fPeak
	}
	h := sv.health(s, f, avail)
	if sv.overloaded(s, avail, h, now) {
		avail = 0
		f = sv.ownFraction(s, 0, 1)
		for _, d := range m.svc[s].deps {
			f *= sv.hot[d].fPeak
		}
		h = sv.health(s, f, avail)
	}
	changed := f != sv.hot[s].fPeak
	// Under recovered = "capacity" a service's health depends on its
	// dependencies' health, which can change while their fraction does not.
	healthDep := m.capRecovered && h != sv.hot[s].healthy
	sv.hot[s].fPeak = f
	if h != sv.hot[s].healthy {
		if !h {
			sv.hot[s].everImp = true
			if r.tr != nil {
				r.event("impaired", r.svcName(s), "serving %.0f%% at peak", 100*f)
			}
		} else if sv.hot[s].everImp {
			sv.recovered[s] = now
			if r.tr != nil {
				r.event("recovered", r.svcName(s), "serving %.0f%% at peak", 100*f)
			}
		}
		sv.restoreQ.healthChanged(m, s, h)
		if x := &m.svc[s]; x.reloc >= 0 && !sv.hot[s].relocated {
			// Down: capacity elsewhere is sought; back first: not needed.
			sv.relEpoch[s]++
			if !h {
				dt := m.Sc.Services[s].Relocate.LeadTime.Sample(r.st.fail[s])
				r.eng.After(sim.Time(dt), kindOf(unitServices, svRelocate), int32(s), sv.relEpoch[s])
			}
		}
		if m.opsTool[s] {
			if h {
				sv.opsDown--
			} else {
				sv.opsDown++
			}
		}
	}
	if h && !sv.hot[s].healthy && len(m.manualWaiters[s]) > 0 {
		sv.hot[s].healthy = h
		sv.toolsBack(s)
	}
	sv.hot[s].healthy = h
	fn := r.imp.prepare(s, avail)
	if changed || fn || healthDep {
		for _, t := range m.dependents[s] {
			if !sv.absorbs(t, s) {
				sv.topoDirty.add(int(m.topoPos[t]))
			}
		}
	}
	calm := sv.isCalm(s)
	if calm != sv.hot[s].calm {
		sv.hot[s].calm = calm
		if calm {
			sv.restless--
		} else {
			sv.restless++
		}
	}
	return changed
}
