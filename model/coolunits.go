package model

import (
	"math"

	"github.com/dcsim/dcsim/sim"
)

// Cooling-unit events.
const (
	cuFail     int32 = iota // A flat hall, B epoch: one of its running units fails
	cuRepaired              // A flat hall: one of its failed units is back
	cuHot                   // A flat hall, B epoch: it reached its shutdown temperature
)

// coolingUnits fails each hall's cooling units independently, as
// background failures do servers, at sites whose per-hall thermal model
// sets unit_failure_rate: each running unit fails at that rate and is
// repaired after a draw of unit_repair. While fewer than `needed` run, the
// hall warms at heat_rate·(1-c), c = running/needed, from start_temp
// (warming restarts from start_temp at each change, a simplification);
// at shutdown_temp its domains are shut down until enough units run again.
// With N+1 units the hall is short only when two fail together: the
// k-of-n availability of sim's reliability formulas.
type coolingUnits struct {
	r *Replication

	halls []int // flat halls with unit failures
	site  []int // per flat hall, its site
	local []int // per flat hall, its index within the site
	rng   []*randSource
	up    []int16 // per flat hall, units running
	epoch []int32 // supersedes a hall's scheduled failure and warming
	short []bool  // fewer than needed run
	shut  []bool  // shut down for heat
	since []float64
	// ShortH accumulates, per flat hall, the hours it ran short of units
	// (for tests against the k-of-n formula).
	shortH []float64
}

func (cu *coolingUnits) init(r *Replication) {
	m := r.m
	cu.r = r
	n := m.nHall
	cu.site, cu.local = make([]int, n), make([]int, n)
	cu.rng = make([]*randSource, n)
	cu.up, cu.epoch = make([]int16, n), make([]int32, n)
	cu.short, cu.shut = make([]bool, n), make([]bool, n)
	cu.since, cu.shortH = make([]float64, n), make([]float64, n)
	for p := range m.Sc.Sites {
		site := &m.Sc.Sites[p]
		for h := range site.Halls {
			fh := m.hallBase[p] + h
			cu.site[fh], cu.local[fh] = p, h
			if site.Cooling.Thermal && site.Cooling.UnitFailureRate > 0 {
				cu.halls = append(cu.halls, fh)
				cu.rng[fh] = r.rng.Get(streamID("cooling units", site.Name, site.Halls[h].Name))
			}
		}
	}
}

// start resets every hall to all units running and schedules the first
// failures.
func (cu *coolingUnits) start() {
	m := cu.r.m
	for _, fh := range cu.halls {
		co := &m.Sc.Sites[cu.site[fh]].Cooling
		cu.up[fh] = int16(co.Units)
		cu.short[fh], cu.shut[fh] = false, false
		cu.since[fh], cu.shortH[fh] = 0, 0
		cu.epoch[fh]++
		cu.nextFailure(fh)
	}
}

// nextFailure schedules the hall's next unit failure: with u units
// running, after Exp(u·rate) (the earliest of u exponential lifetimes).
func (cu *coolingUnits) nextFailure(fh int) {
	if cu.up[fh] == 0 {
		return
	}
	co := &cu.r.m.Sc.Sites[cu.site[fh]].Cooling
	dt := cu.rng[fh].ExpFloat64() / (float64(cu.up[fh]) * co.UnitFailureRate)
	cu.r.eng.After(sim.Time(dt), kindOf(unitCooling, cuFail), int32(fh), cu.epoch[fh])
}

func (cu *coolingUnits) handle(local int32, ev sim.Event) {
	r := cu.r
	m := r.m
	fh := int(ev.A)
	co := &m.Sc.Sites[cu.site[fh]].Cooling
	switch local {
	case cuFail:
		if ev.B != cu.epoch[fh] {
			return
		}
		cu.up[fh]--
		r.eng.After(sim.Time(co.UnitRepair.Sample(cu.rng[fh])), kindOf(unitCooling, cuRepaired), int32(fh), 0)
	case cuRepaired:
		cu.up[fh]++
	case cuHot:
		if ev.B == cu.epoch[fh] && cu.short[fh] && !cu.shut[fh] {
			cu.shut[fh] = true
			if r.tr != nil {
				r.event("hall-hot", cu.hallName(fh), "too few cooling units: shut down")
			}
			cu.each(fh, func(d int) { r.power.hold(d, causeCooling) })
		}
		return
	default:
		panic("model: unknown cooling-unit event")
	}
	cu.epoch[fh]++
	cu.nextFailure(fh)
	cu.update(fh)
}

// update follows the hall's units: short of `needed`, it warms toward its
// shutdown; enough again, it is re-energised by its transfer switches.
func (cu *coolingUnits) update(fh int) {
	r := cu.r
	co := &r.m.Sc.Sites[cu.site[fh]].Cooling
	now := float64(r.eng.Now())
	short := int(cu.up[fh]) < co.Needed
	switch {
	case short:
		if !cu.short[fh] {
			cu.short[fh], cu.since[fh] = true, now
		}
		if !cu.shut[fh] {
			c := float64(cu.up[fh]) / float64(co.Needed)
			dt := (co.ShutdownTemp - co.StartTemp) / (co.HeatRate * (1 - c))
			r.eng.After(sim.Time(dt), kindOf(unitCooling, cuHot), int32(fh), cu.epoch[fh])
		}
	case cu.short[fh]:
		cu.short[fh] = false
		cu.shortH[fh] += now - cu.since[fh]
		if cu.shut[fh] {
			cu.shut[fh] = false
			if r.tr != nil {
				r.event("hall-cooled", cu.hallName(fh), "enough cooling units again")
			}
			cu.each(fh, func(d int) { r.power.release(d, causeCooling) })
		}
	}
}

// shortHours returns the hours hall fh has run short of units up to now.
func (cu *coolingUnits) shortHours(fh int) float64 {
	h := cu.shortH[fh]
	if cu.short[fh] {
		h += float64(cu.r.eng.Now()) - cu.since[fh]
	}
	return math.Max(0, h)
}

func (cu *coolingUnits) each(fh int, f func(d int)) {
	m := cu.r.m
	p := cu.site[fh]
	for _, local := range m.hallDoms[p][cu.local[fh]] {
		f(m.siteDom[p][local])
	}
}

func (cu *coolingUnits) hallName(fh int) string {
	site := &cu.r.m.Sc.Sites[cu.site[fh]]
	return site.Name + "/" + site.Halls[cu.local[fh]].Name
}
