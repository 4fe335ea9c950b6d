package model

import (
	"github.com/dcsim/dcsim/sim"
)

func domainIndex(s Site) map[string]int {
	m := map[string]int{}
	for i, d := range s.Domains {
		m[d.Name] = i
	}
	return m
}

// readSite reads one [[sites]] table; it also returns each domain's
// neighbour names, resolved once every domain is known.
func readSite(t *table) (Site, [][]item) {
	r := t.r
	var s Site
	s.Name = t.name()
	s.ZoneCutoffs = t.boolean("zone_cutoffs", false)
	s.BootRate = t.rate("boot_rate", 250)
	if !(s.BootRate > 0) {
		r.errf(t.sub("boot_rate"), "must be positive")
		s.BootRate = 250
	}
	s.Crews, s.CrewSchedule = t.crews("crews", 4)
	s.Repower = t.dist("repower", sim.LognormalMedianP95(1, 4), unitDuration)
	name := s.Name
	s.ServerCost = t.uncertainNonNeg("server_cost", "sites["+name+"].server_cost", 10000,
		func(sc *Scenario, x float64) { sc.setSite(name, func(s *Site) { s.ServerCost = x }) })

	f := t.child("fire")
	fp := &s.Fire
	fp.Detection = f.dist("detection", sim.LognormalMedianP95(3.0/60, 15.0/60), unitDuration)
	fp.Suppression = f.enum("suppression", "sprinkler", "none", "sprinkler", "water_mist", "gas", "aerosol")
	fp.SuppressionSuccess = f.uncertainProb("suppression_success", "sites["+name+"].fire.suppression_success", defaultSuppression[fp.Suppression],
		func(sc *Scenario, x float64) { sc.setSite(name, func(s *Site) { s.Fire.SuppressionSuccess = x }) })
	fp.SuppressedExtinguish = f.dist("suppressed_extinguish", sim.LognormalMedianP95(20.0/60, 1), unitDuration)
	// Off unless set: re-ignition of Li-ion cells after suppression is well
	// documented, but not how often.
	fp.Reignition = f.prob("reignition_probability", 0)
	fp.ReignitionDelay = f.dist("reignition_delay", sim.LognormalMedianP95(1, 6), unitDuration)
	fp.Extinguish = f.dist("extinguish", sim.LognormalMedianP95(6, 14), unitDuration)
	fp.HeatDamage = f.dist("heat_damage", sim.LognormalMedianP95(0.5, 1), unitDuration)
	fp.SpreadProbability = f.uncertainProb("spread_probability", "sites["+name+"].fire.spread_probability", 0.5,
		func(sc *Scenario, x float64) { sc.setSite(name, func(s *Site) { s.Fire.SpreadProbability = x }) })
	fp.SpreadDelay = f.dist("spread_delay", sim.LognormalMedianP95(40.0/60, 2), unitDuration)
	// Between halls of a building: as between neighbouring domains unless
	// the site says otherwise.
	fp.HallSpreadProbability = f.prob("hall_spread_probability", fp.SpreadProbability)
	fp.HallSpreadDelay = f.dist("hall_spread_delay", fp.SpreadDelay, unitDuration)
	fp.PowerCutProbability = f.prob("power_cut_probability", 1)
	fp.PowerCutDelay = f.dist("power_cut_delay", sim.LognormalMedianP95(1.5, 3), unitDuration)
	// Access lockout (investigation, structural checks) and cleaning
	// (soot, water): none unless the scenario sets them.
	fp.AccessLockout = f.dist("access_lockout", sim.Fixed(0), unitDuration)
	fp.StopsCooling = f.boolean("stops_cooling", false)
	fp.Inspection = f.dist("inspection", sim.LognormalMedianP95(6, 16), unitDuration)
	fp.Cleaning = f.dist("cleaning", sim.Fixed(0), unitDuration)
	fp.ReplacementLeadTime = f.dist("replacement_lead_time", sim.LognormalMedianP95(48, 120), unitDuration)
	fp.DestroyedFraction = f.dist("destroyed_fraction", sim.Fixed(0.05), unitFraction)
	fp.ServerLeadTime = f.dist("server_lead_time", sim.LognormalMedianP95(72, 168), unitDuration)
	fp.DamageCost = f.uncertainNonNeg("damage_cost", "sites["+name+"].fire.damage_cost", 0,
		func(sc *Scenario, x float64) { sc.setSite(name, func(s *Site) { s.Fire.DamageCost = x }) })
	f.done()

	c := t.child("cooling")
	s.Cooling.ThermalBuffer = c.dist("thermal_buffer", sim.LognormalMedianP95(20.0/60, 45.0/60), unitDuration)
	s.Cooling.OverheatDestroyed = c.dist("overheat_destroyed", sim.Fixed(0), unitFraction)
	readThermal(c, &s.Cooling)
	c.done()

	w := t.child("water")
	// Assumptions, stated in the manifest and scenarios/README.md: leak
	// detection cables alarm within minutes; drying and cleaning a hall
	// takes days.
	s.Water.Detection = w.dist("detection", sim.LognormalMedianP95(10.0/60, 1), unitDuration)
	s.Water.DestroyedFraction = w.dist("destroyed_fraction", sim.Fixed(0.1), unitFraction)
	s.Water.SpreadProbability = w.prob("spread_probability", 0)
	s.Water.SpreadDelay = w.dist("spread_delay", sim.LognormalMedianP95(1, 4), unitDuration)
	s.Water.DryOut = w.dist("dry_out", sim.LognormalMedianP95(24, 72), unitDuration)
	s.Water.Cleaning = w.dist("cleaning", sim.LognormalMedianP95(24, 96), unitDuration)
	s.Water.ServerLeadTime = w.dist("server_lead_time", fp.ServerLeadTime, unitDuration)
	w.done()

	// Capacity for services rebuilt here (relocate): unlimited unless set.
	s.RelocationCapacity = -1
	if t.has("relocation_capacity") {
		s.RelocationCapacity = t.count("relocation_capacity", 0)
	}
	s.RelocationBuildRate = t.rate("relocation_build_rate", 0)

	lt := t.child("lightning")
	// No default: how well a site's surge protection works is its own.
	s.Lightning.TripProbability = lt.prob("trip_probability", 0)
	s.Lightning.CoolingProbability = lt.prob("cooling_probability", 0)
	lt.done()

	b := t.child("failures")
	bg := &s.Failures
	bg.ServerRate = b.rate("server_afr", defaultServerRate)
	bg.ServerRepair = b.dist("server_repair", sim.LognormalMedianP95(24, 72), unitDuration)
	bg.RackRate = b.rate("rack_rate", defaultRackRate)
	bg.RackSize = b.count("rack_size", 40)
	bg.RackRepair = b.dist("rack_repair", sim.Dist{Kind: sim.Uniform, A: 1, B: 6}, unitDuration)
	bg.PDURate = b.rate("pdu_rate", defaultPDURate)
	bg.PDUSize = b.count("pdu_size", 750)
	bg.PDURepair = b.dist("pdu_repair", sim.LognormalMedianP95(6, 12), unitDuration)
	if bg.RackSize < 1 {
		r.errf(b.sub("rack_size"), "must be at least 1")
		bg.RackSize = 1
	}
	if bg.PDUSize < 1 {
		r.errf(b.sub("pdu_size"), "must be at least 1")
		bg.PDUSize = 1
	}
	b.done()

	var neighbours [][]item
	var refs []domainRefs
	for _, dt := range t.tables("domains") {
		d, nb, ref := readDomain(dt)
		s.Domains = append(s.Domains, d)
		neighbours = append(neighbours, nb)
		refs = append(refs, ref)
	}
	if len(s.Domains) == 0 && (!t.has("domains") || isArray(t.m["domains"])) {
		r.errf(t.sub("domains"), "site %q needs at least one [[sites.domains]] power domain", s.Name)
	}
	indexNames(r, t.sub("domains"), len(s.Domains), func(i int) string { return s.Domains[i].Name })
	readTopology(t, &s, refs)
	t.done()
	return s, neighbours
}

// Suppression success for a lithium-ion battery fire by system type:
// assumptions (Li-ion thermal runaway re-ignites under water sprinklers;
// clean-agent gas and aerosol act on the room). Override per site.
var defaultSuppression = map[string]float64{
	"none": 0, "sprinkler": 0.05, "water_mist": 0.3, "gas": 0.5, "aerosol": 0.4,
}

func readDomain(t *table) (Domain, []item, domainRefs) {
	r := t.r
	var d Domain
	d.Name = t.name()
	t.required("servers")
	d.Servers = t.count("servers", 0)
	neighbours := t.items("neighbours") // resolved once all domains are known
	ref := domainRefs{path: t.path, building: t.str("building", ""), hall: t.str("hall", ""), feeds: t.items("feeds")}
	u := t.child("ups")
	d.UPS.Chemistry = u.enum("chemistry", "vrla", "li-ion", "vrla", "nicd", "flywheel")
	d.UPS.RideThrough = u.duration("ride_through", 10.0/60)
	// Off unless the scenario sets it: no published per-demand figure.
	d.UPS.FailProb = u.prob("failure_probability", 0)
	u.done()
	a := t.child("ats")
	d.ATS.FailToTransfer = a.prob("fail_to_transfer", 0)
	d.ATS.ManualTransfer = a.dist("manual_transfer", sim.LognormalMedianP95(0.5, 2), unitDuration)
	a.done()
	g := t.child("generators")
	gen := &d.Generators
	gen.Count = g.count("count", 2)
	gen.Needed = g.count("needed", 1)
	switch {
	case gen.Needed > gen.Count:
		r.errf(g.sub("needed"), "needs %d generators but the domain has %d", gen.Needed, gen.Count)
		gen.Needed = gen.Count
	case gen.Needed == 0 && gen.Count > 0:
		r.errf(g.sub("needed"), "must be at least 1 when the domain has generators (for a domain without generators write count = 0, needed = 0)")
		gen.Needed = 1
	}
	// Fleet reliability per demand 95–98% (NREL 2020).
	gen.FailToStart = g.prob("fail_to_start", 0.03)
	gen.Start = g.dist("start_time", sim.Fixed(15.0/3600), unitDuration)
	gen.StartTime = gen.Start.Mean()
	gen.HasRepair = g.has("repair")
	gen.Repair = g.dist("repair", sim.Fixed(0), unitDuration)
	gen.Fuel = g.duration("fuel", 24)
	gen.RefuelProb = g.prob("refuel_probability", 0.95)
	gen.RunFailRate = g.rate("run_failure_rate", defaultGenRunFail)
	g.done()
	t.done()
	return d, neighbours, ref
}
