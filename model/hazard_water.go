package model

import (
	"fmt"

	"github.com/dcsim/dcsim/sim"
)

// WaterLeak is water in halls: a leak from cooling or plumbing, a burst
// pipe, a flood.
const WaterLeak Hazard = "water_leak"

func init() {
	registerHazard(WaterLeak, hazardKind{title: "Water leak or flood", parts: true,
		build: func(h incident) hazard { return newWaterLeak(h) }, assumptions: waterAssumptions})
}

// Water events.
const (
	waterHall     int32 = iota + 1 // A site in scope, B hall: water reaches the hall
	waterDetected                  // A site in scope: leak detected, wet halls cut
	waterStopped                   // A site in scope: the water stops flowing
	waterClean                     // A site in scope: dry and clean, re-energising allowed
	waterServers                   // A domain: destroyed servers replaced
)

// waterLeak wets the domains it hits (its halls, buildings or domains, or
// whole sites: a flood) for the incident's duration, the time until the
// water stops. A wet domain loses destroyed_fraction of its servers; when
// the leak is detected every wet domain is cut for safety, and a domain
// wetted later is cut at once. While water flows it spreads from each hall
// it reaches to each other hall of the building with spread_probability.
// Once it stops, the halls dry (dry_out) and are cleaned (cleaning); then
// wet domains are re-energised by hand, and their destroyed servers are
// replaced server_lead_time later. Each site's course comes from its
// [sites.water] table.
type waterLeak struct {
	incident
	wet      []bool // per domain
	hallWet  []bool // per flat hall
	detected []bool // per site in scope
	stopped  []bool
	clean    []bool
	cleaned  int
}

func newWaterLeak(h incident) *waterLeak {
	m := h.r.m
	n := len(h.in.sites)
	return &waterLeak{incident: h, wet: make([]bool, m.nDom), hallWet: make([]bool, m.nHall),
		detected: make([]bool, n), stopped: make([]bool, n), clean: make([]bool, n)}
}

func (w *waterLeak) reset() {
	w.resetIncident()
	clear(w.wet)
	clear(w.hallWet)
	clear(w.detected)
	clear(w.stopped)
	clear(w.clean)
	w.cleaned = 0
}

func (w *waterLeak) done() bool { return w.started && w.cleaned == len(w.in.sites) }

func (w *waterLeak) handle(local int32, ev sim.Event) {
	r := w.r
	m := r.m
	k := int(ev.A)
	switch local {
	case hzStart:
		for k, p := range w.in.sites {
			wt := &m.Sc.Sites[p].Water
			rng := w.site[p]
			stop := w.duration(rng)
			det := wt.Detection.Sample(rng)
			clean := stop + wt.DryOut.Sample(rng) + wt.Cleaning.Sample(rng)
			if r.tr != nil {
				r.event("water", r.siteName(p), "water in %d domain(s) for %.2fh; detected at %.2fh; dry and clean at %.2fh", len(w.in.doms[k]), stop, det, clean)
			}
			for _, d := range w.in.doms[k] {
				w.wetDomain(k, d)
			}
			r.eng.After(sim.Time(det), w.kind(waterDetected), int32(k), 0)
			r.eng.After(sim.Time(stop), w.kind(waterStopped), int32(k), 0)
			r.eng.After(sim.Time(clean), w.kind(waterClean), int32(k), 0)
		}
	case waterHall:
		if w.stopped[k] {
			return
		}
		p := w.in.sites[k]
		for _, local := range m.hallDoms[p][ev.B] {
			w.wetDomain(k, m.siteDom[p][local])
		}
	case waterDetected:
		if w.clean[k] {
			return // dry and clean before anyone noticed
		}
		w.detected[k] = true
		p := w.in.sites[k]
		if r.tr != nil {
			r.event("water-detected", r.siteName(p), "leak detected: wet domains cut for safety")
		}
		for _, d := range m.siteDom[p] {
			if w.wet[d] {
				w.hold(d, causeWater)
			}
		}
	case waterStopped:
		w.stopped[k] = true
	case waterClean:
		w.clean[k] = true
		w.cleaned++
		p := w.in.sites[k]
		wt := &m.Sc.Sites[p].Water
		if r.tr != nil {
			r.event("water-cleaned", r.siteName(p), "halls dry and clean; re-energising allowed")
		}
		for _, d := range m.siteDom[p] {
			if w.wet[d] {
				w.release(d, causeWater)
				r.eng.After(sim.Time(wt.ServerLeadTime.Sample(w.dom[d])), w.kind(waterServers), int32(d), 0)
			}
		}
	case waterServers:
		r.fleet.serversBack(int(ev.A))
	default:
		panic("model: unknown water event")
	}
}

// wetDomain puts water in domain d (at the k-th site in scope): servers
// are destroyed, the domain is cut if the leak is already known, and the
// water may spread to the other halls of the building when it first
// reaches this hall.
func (w *waterLeak) wetDomain(k, d int) {
	if w.wet[d] {
		return
	}
	r := w.r
	m := r.m
	p := w.in.sites[k]
	site := &m.Sc.Sites[p]
	wt := &site.Water
	rng := w.dom[d]
	w.wet[d] = true
	lost := r.fleet.destroyClasses(d, wt.DestroyedFraction.Sample(rng), EquipCompute|EquipStorage|EquipNetwork, true)
	r.hwCost += float64(lost) * site.ServerCost
	if r.tr != nil {
		r.event("wet", r.domName(d), "water reaches the domain: %d servers destroyed", lost)
	}
	if w.detected[k] {
		w.hold(d, causeWater)
	}
	h := site.Domains[m.domLocal[d]].Hall
	if w.hallWet[m.hallBase[p]+h] {
		return
	}
	w.hallWet[m.hallBase[p]+h] = true
	b := site.Halls[h].Building
	for h2 := range site.Halls {
		if h2 == h || site.Halls[h2].Building != b || w.hallWet[m.hallBase[p]+h2] {
			continue
		}
		if wt.SpreadProbability > 0 && w.site[p].Float64() < wt.SpreadProbability {
			r.eng.After(sim.Time(wt.SpreadDelay.Sample(w.site[p])), w.kind(waterHall), int32(k), int32(h2))
		}
	}
}

// waterAssumptions lists a water leak's course for reports.
func waterAssumptions(sc *Scenario, in *Incident, add func(key, param, value string)) {
	sp := fmt.Sprintf("sites[%d].water", in.Site)
	wt := sc.Sites[in.Site].Water
	add(sp+".detection", "leak detected (wet halls cut) after", durDist(wt.Detection))
	add(sp+".destroyed_fraction", "servers destroyed in a wet domain", wt.DestroyedFraction.String())
	add(sp+".spread_probability", "spread to each other hall of the building", fmt.Sprintf("%.0f%%", 100*wt.SpreadProbability))
	add(sp+".dry_out", "drying after the water stops", durDist(wt.DryOut))
	add(sp+".cleaning", "cleaning after drying", durDist(wt.Cleaning))
	add(sp+".server_lead_time", "destroyed servers replaced after cleaning", durDist(wt.ServerLeadTime))
}
