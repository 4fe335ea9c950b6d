package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dcsim/dcsim/sim"
)

// domainRefs are the names a domain gives of the site's topology,
// resolved once the site's buildings and halls are known.
type domainRefs struct {
	path           string
	building, hall string
	feeds          []item
}

// readTopology reads a site's region and [[sites.buildings]] and places
// each domain in a hall and on its power trains. A site that declares no
// buildings is one building with one hall, both named after the site, and
// each domain is fed by a train of its own name: today's files keep their
// meaning.
func readTopology(t *table, s *Site, refs []domainRefs) {
	r := t.r
	s.Region = t.str("region", s.Name)
	bts := t.tables("buildings")
	if len(bts) == 0 {
		s.Buildings = []Building{{Name: s.Name, Rebuild: true}}
		s.Halls = []Hall{{Name: s.Name}}
	} else {
		s.Declared = true
	}
	var spreads [][]*table
	for bi, bt := range bts {
		b := Building{Name: bt.name(), Rebuild: bt.boolean("rebuild", true)}
		halls := bt.items("halls")
		if len(halls) == 0 {
			s.Halls = append(s.Halls, Hall{Name: b.Name, Building: bi})
		}
		for _, h := range halls {
			s.Halls = append(s.Halls, Hall{Name: h.s, Building: bi})
		}
		spreads = append(spreads, bt.tables("spread_to"))
		s.Buildings = append(s.Buildings, b)
		bt.done()
	}
	bIdx := indexNames(r, t.sub("buildings"), len(s.Buildings), func(i int) string { return s.Buildings[i].Name })
	hIdx := map[string]int{}
	for i, h := range s.Halls {
		if j, dup := hIdx[h.Name]; dup {
			r.errf(t.sub("buildings"), "hall %q is declared twice (in buildings %q and %q); hall names are unique within a site", h.Name, s.Buildings[s.Halls[j].Building].Name, s.Buildings[h.Building].Name)
			continue
		}
		hIdx[h.Name] = i
	}
	for bi, tabs := range spreads {
		for _, st := range tabs {
			sp := Spread{To: -1}
			if st.required("building") {
				name := st.str("building", "")
				j, ok := bIdx[name]
				switch {
				case !ok:
					r.errf(st.sub("building"), "unknown building %q%s", name, suggestFrom(r, name, bIdx))
				case j == bi:
					r.errf(st.sub("building"), "a building cannot spread to itself")
				default:
					sp.To = j
				}
			}
			// No published figure gives the chance fire crosses from one
			// building to another; the scenario must say it.
			st.required("probability")
			sp.Probability = st.prob("probability", 0)
			sp.Delay = st.dist("delay", s.Fire.SpreadDelay, unitDuration)
			st.done()
			if sp.To >= 0 {
				s.Buildings[bi].Spread = append(s.Buildings[bi].Spread, sp)
			}
		}
	}
	trains := map[string]int{}
	for di := range s.Domains {
		d := &s.Domains[di]
		ref := refs[di]
		d.Hall = resolveHall(r, s, ref, bIdx, hIdx)
		names := ref.feeds
		if len(names) == 0 {
			names = []item{{0, d.Name}}
		}
		for _, f := range names {
			j, ok := trains[f.s]
			if !ok {
				j = len(s.Trains)
				trains[f.s] = j
				s.Trains = append(s.Trains, f.s)
			}
			if slices.Contains(d.Feeds, j) {
				r.errf(fmt.Sprintf("%s.feeds[%d]", ref.path, f.k), "train %q is listed twice", f.s)
				continue
			}
			d.Feeds = append(d.Feeds, j)
		}
	}
}

// resolveHall finds the hall a domain names (hall, or a building of one
// hall); a site of one hall needs neither.
func resolveHall(r *reader, s *Site, ref domainRefs, bIdx, hIdx map[string]int) int {
	if ref.hall != "" {
		h, ok := hIdx[ref.hall]
		if !ok {
			r.errf(ref.path+".hall", "unknown hall %q in site %q%s", ref.hall, s.Name, suggestFrom(r, ref.hall, hIdx))
			return 0
		}
		if ref.building != "" && s.Buildings[s.Halls[h].Building].Name != ref.building {
			r.errf(ref.path+".building", "hall %q is in building %q, not %q", ref.hall, s.Buildings[s.Halls[h].Building].Name, ref.building)
		}
		return h
	}
	if ref.building != "" {
		b, ok := bIdx[ref.building]
		if !ok {
			r.errf(ref.path+".building", "unknown building %q in site %q%s", ref.building, s.Name, suggestFrom(r, ref.building, bIdx))
			return 0
		}
		var in []int
		for h := range s.Halls {
			if s.Halls[h].Building == b {
				in = append(in, h)
			}
		}
		if len(in) != 1 {
			r.errf(ref.path+".hall", "building %q has %d halls; name the domain's hall", ref.building, len(in))
			return 0
		}
		return in[0]
	}
	if len(s.Halls) > 1 {
		r.errf(ref.path+".hall", "site %q has %d halls; name the domain's hall (or building)", s.Name, len(s.Halls))
	}
	return 0
}

// readParts reads which domains of site s an entry confines itself to:
// one of buildings, halls or domains (each an array of names; a placement
// may also write building or hall alone). It returns the domains' indices
// within the site, sorted, or nil when the entry names none.
func readParts(t *table, s *Site, keys ...string) []int {
	r := t.r
	t.expect(keys...)
	var given []string
	for _, k := range keys {
		if t.has(k) {
			given = append(given, k)
		}
	}
	if len(given) == 0 {
		return nil
	}
	if len(given) > 1 {
		r.errf(t.sub(given[1]), "give one of %v, not both %s and %s", keys, given[0], given[1])
		return nil
	}
	key := given[0]
	var names []item
	if v, _ := t.get(key); isString(v) {
		names = []item{{-1, t.str(key, "")}}
	} else {
		names = t.items(key)
	}
	path := func(it item) string {
		if it.k < 0 {
			return t.sub(key)
		}
		return fmt.Sprintf("%s[%d]", t.sub(key), it.k)
	}
	seen := map[int]bool{}
	for _, it := range names {
		n := len(seen)
		switch key {
		case "building", "buildings", "hall", "halls":
			bld := strings.HasPrefix(key, "building")
			idx := map[string]int{}
			if bld {
				for i, b := range s.Buildings {
					idx[b.Name] = i
				}
			} else {
				for i, h := range s.Halls {
					idx[h.Name] = i
				}
			}
			j, ok := idx[it.s]
			if !ok {
				r.errf(path(it), "unknown %s %q in site %q%s", strings.TrimSuffix(key, "s"), it.s, s.Name, suggestFrom(r, it.s, idx))
				continue
			}
			for di, d := range s.Domains {
				if (bld && s.Halls[d.Hall].Building == j) || (!bld && d.Hall == j) {
					seen[di] = true
				}
			}
		default:
			idx := domainIndex(*s)
			di, ok := idx[it.s]
			if !ok {
				r.errf(path(it), "unknown domain %q in site %q%s", it.s, s.Name, suggestFrom(r, it.s, idx))
				continue
			}
			seen[di] = true
		}
		if len(seen) == n {
			r.errf(path(it), "%q adds no domain (listed twice, or it holds none)", it.s)
		}
	}
	if len(seen) == 0 {
		return nil
	}
	out := make([]int, 0, len(seen))
	for di := range seen {
		out = append(out, di)
	}
	slices.Sort(out)
	return out
}

func isString(v any) bool { _, ok := v.(string); return ok }

// placeSite spreads the servers services place at site si over its
// domains: first the placements confined to some domains (in service
// order), then the others over every domain, each in proportion to the
// room each domain has left (largest remainder), so that with domains of
// equal size and no confinement this is a proportional split. It returns
// pools[s][k] (servers of service s in the site's k-th domain, nil where s
// has none here), the servers no service uses per domain, and the services
// whose confined domains lack the room.
func placeSite(site *Site, si int, svcs []Service) (pools [][]int, free []int, short []int) {
	free = make([]int, len(site.Domains))
	for k, d := range site.Domains {
		free[k] = d.Servers
	}
	pools = make([][]int, len(svcs))
	place := func(s int, p *Placement) {
		doms := p.Domains
		if doms == nil {
			doms = make([]int, len(site.Domains))
			for k := range doms {
				doms[k] = k
			}
		}
		room := 0
		for _, k := range doms {
			room += max(0, free[k])
		}
		if p.Domains != nil && p.Servers > room {
			short = append(short, s)
		}
		parts := apportion(p.Servers, len(doms), func(j int) float64 { return float64(max(0, free[doms[j]])) })
		pools[s] = make([]int, len(site.Domains))
		for j, k := range doms {
			pools[s][k] = parts[j]
			free[k] -= parts[j]
		}
	}
	for _, confined := range []bool{true, false} {
		for s := range svcs {
			for k := range svcs[s].Placement {
				p := &svcs[s].Placement[k]
				if p.Site == si && p.Servers > 0 && (p.Domains != nil) == confined {
					place(s, p)
				}
			}
		}
	}
	for k := range free {
		free[k] = max(0, free[k])
	}
	return pools, free, short
}

// readThermal reads the per-hall thermal model of [sites.cooling], on when
// heat_rate is given. Defaults: ASHRAE's recommended inlet range is
// 18–27 °C and its class A2 allowable maximum 35 °C (docs/reference-figures.md);
// the damage threshold and rate are assumptions, stated in the manifest.
func readThermal(c *table, co *Cooling) {
	r := c.r
	keys := []string{"throttle_temp", "throttle_capacity", "units", "needed", "start_temp", "shutdown_temp", "shutdown_probability", "damage_temp", "damage_rate", "damages", "unit_failure_rate", "unit_repair"}
	c.expect(keys...)
	if !c.has("heat_rate") {
		for _, k := range keys {
			if c.has(k) {
				r.errf(c.sub(k), "the per-hall thermal model needs heat_rate (°C per hour at full load with no cooling)")
			}
		}
		return
	}
	co.Thermal = true
	co.HeatRate = c.positive("heat_rate", 60)
	co.Needed = c.count("needed", 1)
	co.Units = c.count("units", co.Needed)
	if co.Needed < 1 {
		r.errf(c.sub("needed"), "must be at least 1")
		co.Needed = 1
	}
	if co.Units < co.Needed {
		r.errf(c.sub("units"), "a hall with %d units cannot carry a load that needs %d", co.Units, co.Needed)
		co.Units = co.Needed
	}
	co.StartTemp = c.number("start_temp", 24)
	co.ShutdownTemp = c.number("shutdown_temp", 35)
	co.ShutdownProbability = c.prob("shutdown_probability", 1)
	co.DamageTemp = c.number("damage_temp", 45)
	// No throttling unless set: how much a hot server slows is its own.
	co.ThrottleTemp = c.number("throttle_temp", co.ShutdownTemp)
	co.ThrottleCapacity = c.prob("throttle_capacity", 1)
	if co.ThrottleTemp > co.ShutdownTemp || co.ThrottleTemp < co.StartTemp {
		r.errf(c.sub("throttle_temp"), "must lie between start_temp (%g °C) and shutdown_temp (%g °C)", co.StartTemp, co.ShutdownTemp)
	}
	co.DamageRate = c.nonNeg("damage_rate", 0.5)
	if !(co.StartTemp < co.ShutdownTemp) {
		r.errf(c.sub("shutdown_temp"), "must be above start_temp (%g °C)", co.StartTemp)
	}
	if !(co.ShutdownTemp <= co.DamageTemp) {
		r.errf(c.sub("damage_temp"), "must be at least shutdown_temp (%g °C)", co.ShutdownTemp)
	}
	co.UnitFailureRate = c.rate("unit_failure_rate", 0)
	co.UnitRepair = c.dist("unit_repair", sim.LognormalMedianP95(8, 48), unitDuration)
	co.Damages = EquipStorage | EquipNetwork
	if c.has("damages") {
		co.Damages = 0
		for _, it := range c.items("damages") {
			b, ok := EquipNames[it.s]
			if !ok {
				r.errf(fmt.Sprintf("%s[%d]", c.sub("damages"), it.k), "unknown equipment class %q (compute, storage, network)", it.s)
			}
			co.Damages |= b
		}
	}
}
