package model

import (
	"math"
	"slices"

	"github.com/dcsim/dcsim/sim"
)

// UtilityLoss is a loss of utility power at whole sites.
const UtilityLoss Hazard = "utility_loss"

func init() {
	registerHazard(UtilityLoss, hazardKind{title: "Utility power loss", inDomain: false, parts: true,
		build: func(h incident) hazard { return newUtilityLoss(h) }, assumptions: nil})
}

// Utility-loss events.
const (
	utilDark     int32 = iota + 1 // A domain: nothing carries the load any more
	utilCarried                   // A domain: generators pick up the load after a dark gap
	utilRestored                  // A site: utility power is back
)

// utilityLoss is a loss of utility power at each site in scope for the
// incident's duration. Each domain rides through on its UPS; its
// generators each start with probability 1 - fail_to_start after
// start_time and run until an exponential failure (run_failure_rate); the
// domain is carried while at least `needed` of them run and fuel lasts
// (fuel hours, unless resupply arrives, with refuel_probability). A domain
// goes dark when its UPS is exhausted before the generators carry it (a
// dark gap, bridged once they start) or when they stop carrying it; it
// comes back by its transfer switch when the utility does.
type utilityLoss struct {
	incident
	lost  int       // sites still without utility power
	fails []float64 // scratch: run failure times of started generators
}

func newUtilityLoss(h incident) *utilityLoss { return &utilityLoss{incident: h} }

func (u *utilityLoss) reset() { u.resetIncident(); u.lost = 0 }

func (u *utilityLoss) done() bool { return u.started && u.lost == 0 }

func (u *utilityLoss) handle(local int32, ev sim.Event) {
	r := u.r
	switch local {
	case hzStart:
		u.lost = len(u.in.sites)
		for k := range u.in.sites {
			u.lose(k)
		}
	case utilDark:
		u.hold(int(ev.A), causeUtility)
	case utilCarried:
		u.release(int(ev.A), causeUtility)
	case utilRestored:
		p, k := int(ev.A), int(ev.B)
		u.lost--
		if r.tr != nil {
			r.event("utility-restored", r.siteName(p), "utility power back")
		}
		for _, d := range u.in.doms[k] {
			u.release(d, causeUtility)
		}
	default:
		panic("model: unknown utility-loss event")
	}
}

// lose cuts the utility feed of the k-th site in scope (of the domains
// the incident hits there).
func (u *utilityLoss) lose(k int) {
	r := u.r
	m := r.m
	p := u.in.sites[k]
	dur := u.duration(u.site[p])
	if r.tr != nil {
		r.event("utility-lost", r.siteName(p), "utility power lost for %.2fh", dur)
	}
	for _, d := range u.in.doms[k] {
		dom := &m.Sc.Sites[p].Domains[m.domLocal[d]]
		g := dom.Generators
		rng := u.dom[d]
		started := 0
		u.fails = u.fails[:0]
		for k := 0; k < g.Count; k++ {
			if rng.Float64() >= g.FailToStart {
				started++
				u.fails = append(u.fails, rng.ExpFloat64()/math.Max(g.RunFailRate, 1e-300))
			}
		}
		// The UPS may fail on demand (the load drops at once) and the
		// transfer switch may fail to transfer (the generators run but
		// carry nothing until someone transfers by hand). Drawn only when
		// set, so that scenarios without them keep their numbers.
		ride, carry := dom.UPS.RideThrough, g.StartTime
		if dom.UPS.FailProb > 0 && rng.Float64() < dom.UPS.FailProb {
			ride = 0
			if r.tr != nil {
				r.event("ups-failed", r.domName(d), "UPS failed on demand: no ride-through")
			}
		}
		start := g.StartTime
		if g.Start.Kind != sim.Const {
			start = g.Start.Sample(rng)
			carry = start
		}
		if dom.ATS.FailToTransfer > 0 && rng.Float64() < dom.ATS.FailToTransfer {
			carry += dom.ATS.ManualTransfer.Sample(rng)
			if r.tr != nil {
				r.event("ats-failed", r.domName(d), "transfer switch failed; manual transfer at %.2fh", carry)
			}
		}
		if started < g.Needed || g.Count == 0 {
			// Nothing carries the load once the UPS is exhausted.
			if ride < dur {
				r.eng.After(sim.Time(ride), u.kind(utilDark), int32(d), 0)
			}
			continue
		}
		// The generators carry the load from `carry` until fewer than
		// Needed keep running (the (started-Needed+1)-th failure) or the
		// fuel runs out without resupply.
		slices.Sort(u.fails)
		genDown := start + u.fails[started-g.Needed]
		if dur > start+g.Fuel && rng.Float64() >= g.RefuelProb {
			genDown = math.Min(genDown, start+g.Fuel)
		}
		if carry > ride && ride < dur {
			// A dark gap: the UPS runs out before the generators carry.
			r.eng.After(sim.Time(ride), u.kind(utilDark), int32(d), 0)
			if carry < math.Min(dur, genDown) {
				r.eng.After(sim.Time(carry), u.kind(utilCarried), int32(d), 0)
			}
		}
		if genDown < dur {
			r.eng.After(sim.Time(genDown), u.kind(utilDark), int32(d), 0)
			if g.HasRepair {
				// Repaired (or refuelled) and restarted, once.
				if back := genDown + g.Repair.Sample(rng); back < dur {
					r.eng.After(sim.Time(back), u.kind(utilCarried), int32(d), 0)
				}
			}
		}
	}
	r.eng.After(sim.Time(dur), u.kind(utilRestored), int32(p), int32(k))
}
