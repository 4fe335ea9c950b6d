package model

import (
	"math"

	"github.com/dcsim/dcsim/sim"
)

// Overload: a metastable failure. A service whose offered load — demand at
// the hour, times its retry surge while it is impaired, or the surge of an
// impaired service that depends on it (retries reach dependencies too) —
// exceeds its overload limit × the servers serving it collapses: it serves
// nothing, whatever servers it has, until load is shed (admission control
// or by hand) after its shed delay. Shedding then caps the load at capacity
// until the service is healthy again. The thundering herd of a failover
// onto the surviving site is the common way in.
//
// Demand changes by the hour, so a service at risk (overloaded at its
// weekly peak but not now) schedules a check at the first hour its demand
// crosses the limit; any re-evaluation supersedes it (ovEpoch).

// overloaded reports whether s collapses now, given avail servers serving
// it and its health as just evaluated, and schedules the next check.
func (sv *services) overloaded(s int, avail float64, healthy bool, now float64) bool {
	r := sv.r
	m := r.m
	limit := m.svc[s].ovLimit
	if limit == 0 || sv.hot[s].collapsed {
		return false
	}
	if sv.hot[s].shedding {
		if healthy {
			sv.hot[s].shedding = false
			if r.tr != nil {
				r.event("shedding-ended", r.svcName(s), "healthy again: load no longer shed")
			}
		}
		return false
	}
	sv.ovEpoch[s]++
	if avail <= 0 {
		return false
	}
	offered := m.demand[s] * sv.hot[s].loadMul * sv.offeredSurge(s, healthy)
	capacity := limit * avail
	pt := m.profile[s]
	if offered*pt.max <= capacity {
		return false
	}
	wh := r.week0 + now
	// A nudge so that a check scheduled for an hour boundary reads that
	// hour, not the one before it.
	h0 := math.Floor(wh + 1e-9)
	if offered*pt.hour(h0) > capacity {
		sv.collapse(s, offered*pt.hour(h0)/avail)
		return true
	}
	for k := 1.0; k <= 168; k++ {
		if offered*pt.hour(h0+k) > capacity {
			r.eng.After(sim.Time(h0+k-wh), kindOf(unitServices, svOverloadCheck), int32(s), sv.ovEpoch[s])
			break
		}
	}
	return false
}

// offeredSurge is the demand multiplier on s: its own retry surge while it
// is impaired, or that of an impaired service that depends on it.
func (sv *services) offeredSurge(s int, healthy bool) float64 {
	m := sv.r.m
	surge := 1.0
	if !healthy {
		surge = m.svc[s].surge
	}
	for _, t := range m.dependents[s] {
		if !sv.hot[t].healthy {
			surge = math.Max(surge, m.svc[t].surge)
		}
	}
	return surge
}

func (sv *services) collapse(s int, ratio float64) {
	r := sv.r
	sv.hot[s].collapsed = true
	dt := r.m.Sc.Services[s].Overload.ShedDelay.Sample(r.st.fail[s])
	if r.tr != nil {
		r.event("collapse", r.svcName(s), "offered load %.2f× the servers serving: collapses; load shed in %.2fh", ratio, dt)
	}
	r.eng.After(sim.Time(dt), kindOf(unitServices, svShed), int32(s), 0)
}

// shed ends a collapse: from now on load beyond capacity is turned away.
func (sv *services) shed(s int) {
	r := sv.r
	sv.hot[s].collapsed = false
	sv.hot[s].shedding = true
	if r.tr != nil {
		r.event("load-shed", r.svcName(s), "load shed: serving up to capacity")
	}
}
