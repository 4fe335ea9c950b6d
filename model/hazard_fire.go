package model

import (
	"fmt"
	"math"
	"slices"

	"github.com/dcsim/dcsim/sim"
)

// BatteryFire is a lithium-ion battery fire in one power domain.
const BatteryFire Hazard = "battery_fire"

func init() {
	registerHazard(BatteryFire, hazardKind{title: "Battery fire", inDomain: true,
		build: func(h incident) hazard { return newFire(h) }, assumptions: fireAssumptions})
}

// Fire events.
const (
	fireBurn         int32 = iota + 1 // A domain: fire or heat reaches it
	firePowerCut                      // firefighters cut power
	fireExtinguished                  // the fire is out
	fireInspected                     // the site is safe to re-energise
	fireGearBack                      // A domain: its power gear is replaced
	fireServersBack                   // A domain: its destroyed servers are replaced
	fireCleaned                       // A building: its unburned domains are clean
	fireHot                           // A building: without cooling, too hot to run
)

// fire is a battery fire in one power domain of a site. Its course comes
// from the site's [sites.fire] table: detection; suppression that works
// with probability suppression_success (then the fire is out soon after
// detection) or does not (then the brigade puts it out after extinguish);
// heat that reaches the ignition domain after heat_damage, destroying
// destroyed_fraction of its servers and its power gear; spread to each
// neighbouring domain with spread_probability after spread_delay while it
// burns; and, with power_cut_probability, firefighters cutting power after
// power_cut_delay — to the burning zones where the site has zone
// cut-offs, else to the whole site. Once out and inspected, cut domains are
// re-powered by hand; burned ones wait for their power gear
// (replacement_lead_time) and their servers (server_lead_time).
type fire struct {
	incident
	p         int // site
	active    bool
	inspected bool
	burned    []bool // per domain of the site (local index)
	nBurned   int
	hallHit   []bool // per hall of the site: fire has reached it
	bldHit    []bool // per building of the site
}

func newFire(h incident) *fire {
	p := h.in.Site
	site := &h.r.m.Sc.Sites[p]
	return &fire{incident: h, p: p, burned: make([]bool, len(h.r.m.siteDom[p])),
		hallHit: make([]bool, len(site.Halls)), bldHit: make([]bool, len(site.Buildings))}
}

func (f *fire) reset() {
	f.resetIncident()
	f.active, f.inspected = false, false
	clear(f.burned)
	clear(f.hallHit)
	clear(f.bldHit)
	f.nBurned = 0
}

func (f *fire) done() bool {
	return f.started && !f.active && (f.nBurned == 0 || f.inspected)
}

func (f *fire) handle(local int32, ev sim.Event) {
	r := f.r
	switch local {
	case hzStart:
		f.ignite()
	case fireBurn:
		f.burn(int(ev.A))
	case firePowerCut:
		f.powerCut()
	case fireExtinguished:
		f.active = false
		if r.tr != nil {
			r.event("extinguished", r.siteName(f.p), "fire out")
		}
		fp := &r.m.Sc.Sites[f.p].Fire
		// Buildings locked out (investigation, structural checks), then
		// the inspection; the lockout draws nothing unless it is set.
		wait := fp.AccessLockout.Sample(f.site[f.p]) + fp.Inspection.Sample(f.site[f.p])
		r.eng.After(sim.Time(wait), f.kind(fireInspected), 0, 0)
	case fireInspected:
		f.inspect()
	case fireGearBack:
		f.release(int(ev.A), causeFire)
	case fireServersBack:
		r.fleet.serversBack(int(ev.A))
	case fireHot:
		if f.inspected {
			break
		}
		b := int(ev.A)
		if r.tr != nil {
			r.event("hall-hot", r.siteName(f.p), "building %s without cooling since the fire: shut down", r.m.Sc.Sites[f.p].Buildings[b].Name)
		}
		for k, d := range r.m.siteDom[f.p] {
			if f.bldOf(k) == b {
				f.hold(d, causeCooling)
			}
		}
	case fireCleaned:
		b := int(ev.A)
		m := r.m
		if r.tr != nil {
			r.event("cleaned", r.siteName(f.p), "building %s clean: its unburned domains may be re-energised", m.Sc.Sites[f.p].Buildings[b].Name)
		}
		for k, d := range m.siteDom[f.p] {
			if f.bldOf(k) == b && !f.burned[k] {
				f.release(d, causeCut)
			}
		}
	default:
		panic("model: unknown fire event")
	}
}

func (f *fire) ignite() {
	r := f.r
	m := r.m
	p := f.p
	d := m.siteDom[p][f.in.Domain]
	fp := &m.Sc.Sites[p].Fire
	rng := f.site[p]
	f.active = true
	if r.tr != nil {
		r.event("ignition", r.domName(d), "battery fire")
	}
	det := fp.Detection.Sample(rng)
	suppressed := rng.Float64() < fp.SuppressionSuccess
	var out float64
	if suppressed {
		out = det + fp.SuppressedExtinguish.Sample(rng)
	} else {
		out = math.Max(det, fp.Extinguish.Sample(rng))
	}
	if suppressed && fp.Reignition > 0 && rng.Float64() < fp.Reignition {
		// The cells re-ignite after the suppression: the fire burns again
		// until the brigade puts it out.
		again := out + fp.ReignitionDelay.Sample(rng)
		out = again + fp.Extinguish.Sample(rng)
		suppressed = false
		if r.tr != nil {
			r.event("reignition", r.domName(d), "suppressed, but the cells re-ignite %.2fh after ignition; out %.2fh after ignition", again, out)
		}
	}
	heat := fp.HeatDamage.Sample(rng)
	cutWanted := rng.Float64() < fp.PowerCutProbability
	cut := fp.PowerCutDelay.Sample(rng)
	if heat < out {
		r.eng.After(sim.Time(heat), f.kind(fireBurn), int32(d), 0)
	}
	if cutWanted && !suppressed && cut < out {
		r.eng.After(sim.Time(cut), f.kind(firePowerCut), 0, 0)
	}
	r.eng.After(sim.Time(out), f.kind(fireExtinguished), 0, 0)
	if suppressed && r.tr != nil {
		r.event("suppressed", r.siteName(p), "%s suppression works; out by %.2fh", fp.Suppression, out)
	}
}

func (f *fire) burn(d int) {
	r := f.r
	m := r.m
	local := m.domLocal[d]
	if f.burned[local] || !f.active {
		return // a spread that arrives after the fire is out does nothing
	}
	site := &m.Sc.Sites[f.p]
	fp := &site.Fire
	rng := f.dom[d]
	f.burned[local] = true
	f.nBurned++
	lost := r.fleet.destroy(d, fp.DestroyedFraction.Sample(rng))
	r.hwCost += float64(lost)*site.ServerCost + fp.DamageCost
	if r.tr != nil {
		r.event("burn", r.domName(d), "fire/heat reaches the domain: power gear lost, %d servers destroyed", lost)
	}
	f.hold(d, causeFire)
	dom := &site.Domains[local]
	if !site.Declared && !f.bldHit[0] {
		f.bldHit[0] = true // the site's one building; spreadTopology marks the others
		f.coolingLost(0)
	}
	// Spread to neighbours, if the fire still burns when it arrives.
	for _, nl := range dom.Neighbours {
		f.trySpread(nl, fp.SpreadProbability, &fp.SpreadDelay, rng)
	}
	if site.Declared {
		f.spreadTopology(local, rng)
	}
}

// spreadTopology spreads a fire that reached domain local of a site that
// declares its buildings: to the other domains of its hall (as to
// neighbours); when it is the first of its hall to burn, to each other
// hall of the building (hall_spread_probability); when the first of its
// building, to the buildings it may spread to (spread_to). Fire entering a
// hall or building starts in its first domain.
func (f *fire) spreadTopology(local int, rng *randSource) {
	m := f.r.m
	site := &m.Sc.Sites[f.p]
	fp := &site.Fire
	dom := &site.Domains[local]
	halls := m.hallDoms[f.p]
	for _, nl := range halls[dom.Hall] {
		if nl != local && !slices.Contains(dom.Neighbours, nl) {
			f.trySpread(nl, fp.SpreadProbability, &fp.SpreadDelay, rng)
		}
	}
	if !f.hallHit[dom.Hall] {
		f.hallHit[dom.Hall] = true
		b := site.Halls[dom.Hall].Building
		for h := range site.Halls {
			if h != dom.Hall && site.Halls[h].Building == b && !f.hallHit[h] && len(halls[h]) > 0 {
				f.trySpread(halls[h][0], fp.HallSpreadProbability, &fp.HallSpreadDelay, rng)
			}
		}
	}
	b := site.Halls[dom.Hall].Building
	if !f.bldHit[b] {
		f.bldHit[b] = true
		f.coolingLost(b)
		for _, sp := range site.Buildings[b].Spread {
			if f.bldHit[sp.To] {
				continue
			}
			if first := m.bldFirst[f.p][sp.To]; first >= 0 {
				f.trySpread(first, sp.Probability, &sp.Delay, rng)
			}
		}
	}
}

// coolingLost stops building b's cooling when the site's fire protection
// says a fire does (stops_cooling): with the per-hall thermal model its
// halls reach shutdown_temp after (shutdown_temp - start_temp)/heat_rate
// and are shut down until the inspection.
func (f *fire) coolingLost(b int) {
	r := f.r
	site := &r.m.Sc.Sites[f.p]
	co := &site.Cooling
	if !site.Fire.StopsCooling || !co.Thermal {
		return
	}
	if r.tr != nil {
		r.event("cooling-lost", r.siteName(f.p), "fire stops the cooling of building %s", site.Buildings[b].Name)
	}
	r.eng.After(sim.Time((co.ShutdownTemp-co.StartTemp)/co.HeatRate), f.kind(fireHot), int32(b), 0)
}

// trySpread sends the fire on to domain nl (local) with probability p
// after a delay; it burns there if the fire still burns when it arrives.
func (f *fire) trySpread(nl int, p float64, delay *sim.Dist, rng *randSource) {
	if f.burned[nl] {
		return
	}
	if rng.Float64() < p {
		f.r.eng.After(sim.Time(delay.Sample(rng)), f.kind(fireBurn), int32(f.r.m.siteDom[f.p][nl]), 0)
	}
}

func (f *fire) powerCut() {
	r := f.r
	m := r.m
	if !f.active {
		return
	}
	if m.Sc.Sites[f.p].ZoneCutoffs {
		n := 0
		for k, d := range m.siteDom[f.p] {
			if f.burned[k] {
				f.hold(d, causeCut)
				n++
			}
		}
		if r.tr != nil {
			r.event("power-cut", r.siteName(f.p), "firefighters cut power to %d burning zone(s)", n)
		}
		return
	}
	if r.tr != nil {
		r.event("power-cut", r.siteName(f.p), "firefighters cut power to the whole site (no zone cut-offs)")
	}
	for _, d := range m.siteDom[f.p] {
		f.hold(d, causeCut)
	}
}

func (f *fire) inspect() {
	r := f.r
	m := r.m
	site := &m.Sc.Sites[f.p]
	fp := &site.Fire
	f.inspected = true
	if r.tr != nil {
		r.event("inspected", r.siteName(f.p), "safety inspection passed; re-energising allowed")
	}
	for k, d := range m.siteDom[f.p] {
		if f.burned[k] && site.Buildings[f.bldOf(k)].Rebuild {
			rng := f.dom[d]
			r.eng.After(sim.Time(fp.ReplacementLeadTime.Sample(rng)), f.kind(fireGearBack), int32(d), 0)
			r.eng.After(sim.Time(fp.ServerLeadTime.Sample(rng)), f.kind(fireServersBack), int32(d), 0)
		}
	}
	// A burned domain of a rebuilt building waits for its new gear, not
	// for the cut; cooling stopped by the fire is back.
	for k, d := range m.siteDom[f.p] {
		if f.burned[k] && site.Buildings[f.bldOf(k)].Rebuild {
			f.release(d, causeCut)
		}
		f.release(d, causeCooling)
	}
	// Unburned domains come back at once, after their building is cleaned
	// if the fire reached it, or never if the building is not reopened.
	for b := range site.Buildings {
		switch {
		case !f.bldHit[b]:
			f.releaseCut(b)
		case !site.Buildings[b].Rebuild:
			if r.tr != nil {
				r.event("abandoned", r.siteName(f.p), "building %s is not rebuilt or reopened: its services come back only elsewhere", site.Buildings[b].Name)
			}
		case fp.Cleaning.Kind == sim.Const && fp.Cleaning.A == 0:
			f.releaseCut(b)
		default:
			r.eng.After(sim.Time(fp.Cleaning.Sample(f.site[f.p])), f.kind(fireCleaned), int32(b), 0)
		}
	}
}

// releaseCut lifts the power cut of building b's unburned domains.
func (f *fire) releaseCut(b int) {
	for k, d := range f.r.m.siteDom[f.p] {
		if f.bldOf(k) == b {
			f.release(d, causeCut)
		}
	}
}

// bldOf returns the building of the site's k-th domain.
func (f *fire) bldOf(k int) int {
	site := &f.r.m.Sc.Sites[f.p]
	return site.Halls[site.Domains[k].Hall].Building
}

// fireAssumptions lists a fire's course for reports.
func fireAssumptions(sc *Scenario, in *Incident, add func(key, param, value string)) {
	site := sc.Sites[in.Site]
	sp := fmt.Sprintf("sites[%d]", in.Site)
	f := site.Fire
	add(sp+".zone_cutoffs", "zone-level power cut-offs", fmt.Sprint(site.ZoneCutoffs))
	add(sp+".fire.suppression", "suppression", fmt.Sprintf("%s (success %.0f%%)", f.Suppression, 100*f.SuppressionSuccess))
	add(sp+".fire.heat_damage", "time for heat to take out the ignition domain", durDist(f.HeatDamage))
	add(sp+".fire.spread_probability", "spread to each neighbouring domain", fmt.Sprintf("%.0f%%", 100*f.SpreadProbability))
	add(sp+".fire.power_cut_delay", "time to firefighters' power cut", durDist(f.PowerCutDelay))
	add(sp+".fire.extinguish", "time to extinguish", durDist(f.Extinguish))
	add(sp+".fire.inspection", "safety inspection", durDist(f.Inspection))
	add(sp+".fire.replacement_lead_time", "burned power gear replaced after", durDist(f.ReplacementLeadTime))
	add(sp+".fire.server_lead_time", "destroyed servers replaced after", durDist(f.ServerLeadTime))
}
