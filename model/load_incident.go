package model

import (
	"fmt"
	"slices"
	"time"

	"github.com/dcsim/dcsim/sim"
)

// readIncidents reads the incidents of one replication: [incident] alone,
// or [[incident]] entries that overlap in one replication. The first entry
// defines t = 0 (its start); each later one starts `at` after it (or at its
// own `start`, which must not be earlier).
func (sc *Scenario) readIncidents(t *table, siteIdx map[string]int) {
	r := t.r
	if !t.has("incident") {
		r.errf("incident", "missing [incident]: name the initiating event (hazard, site, start)")
		return
	}
	var tabs []*table
	if isArray(t.m["incident"]) {
		tabs = t.tables("incident")
		if len(tabs) == 0 {
			r.errf("incident", "[[incident]] lists no incident")
			return
		}
	} else {
		tabs = []*table{t.child("incident")}
	}
	seen := map[string]int{}
	for k, it := range tabs {
		in := readIncident(it, sc.Sites, siteIdx)
		if len(tabs) > 1 {
			it.required("name")
			if j, dup := seen[in.Name]; dup && in.Name != "" {
				r.errf(it.sub("name"), "duplicate incident name %q (also incident[%d]): each incident's random numbers come from its name", in.Name, j)
			}
			seen[in.Name] = k
		}
		sc.readScope(it, &in, siteIdx)
		if k == 0 {
			if it.has("at") {
				r.errf(it.sub("at"), "the first incident defines t = 0; give it a start, not at")
				it.duration("at", 0)
			}
		} else {
			first := &sc.Incident
			switch {
			case it.has("at") && it.has("start"):
				r.errf(it.sub("at"), "give at (an offset after the first incident) or start, not both")
			case it.has("at"):
				in.At = it.duration("at", 0)
				if in.At < 0 {
					r.errf(it.sub("at"), "must not be negative")
					in.At = 0
				}
			case first.RandomStart || in.RandomStart:
				r.errf(it.sub("start"), "with a random start, later incidents need at (an offset after the first), e.g. at = \"36h\"")
			default:
				in.At = in.Start.Sub(first.Start).Hours()
				if in.At < 0 {
					r.errf(it.sub("start"), "starts %.4gh before the first incident; list incidents in the order they start", -in.At)
					in.At = 0
				}
			}
			if in.At >= sc.Horizon {
				r.errf(it.sub("at"), "starts at %gh, at or after the horizon (%gh)", in.At, sc.Horizon)
			}
			in.WeekHour = first.WeekHour + in.At
		}
		it.done()
		if k == 0 {
			sc.Incident = in
		} else {
			sc.Concurrent = append(sc.Concurrent, in)
		}
	}
}

// readScope reads what a site-wide hazard hits besides its site: further
// sites, every site of a region, or only some buildings, halls or domains
// of its one site.
func (sc *Scenario) readScope(t *table, in *Incident, siteIdx map[string]int) {
	r := t.r
	kind := hazardKinds[in.Hazard]
	if in.Hazard != "" && kind.inDomain {
		keys := []string{"sites", "region", "between", "buildings", "halls", "domains", "trains"}
		for _, k := range keys {
			if t.has(k) {
				r.errf(t.sub(k), "a %s starts in one domain of one site; remove %s", in.Hazard, k)
			}
		}
		t.expect(keys...)
		return
	}
	t.expect("between")
	if t.has("between") {
		sc.readBetween(t, in)
		return
	}
	if t.has("region") {
		in.Region = t.str("region", "")
		var in0 []int
		regions := map[string]int{}
		for j := range sc.Sites {
			regions[sc.Sites[j].Region] = j
			if sc.Sites[j].Region == in.Region {
				in0 = append(in0, j)
			}
		}
		switch {
		case len(in0) == 0:
			r.errf(t.sub("region"), "no site is in region %q%s", in.Region, suggestFrom(r, in.Region, regions))
		case t.has("site") || t.has("sites"):
			r.errf(t.sub("region"), "name a region or sites, not both")
		default:
			in.Site, in.Sites = in0[0], in0[1:]
		}
	}
	if t.has("sites") {
		for _, it := range t.items("sites") {
			p := fmt.Sprintf("%s[%d]", t.sub("sites"), it.k)
			j, ok := siteIdx[it.s]
			switch {
			case !ok:
				r.errf(p, "unknown site %q%s", it.s, suggestFrom(r, it.s, siteIdx))
			case j == in.Site || slices.Contains(in.Sites, j):
				r.errf(p, "site %q is already in the incident's scope", it.s)
			default:
				in.Sites = append(in.Sites, j)
			}
		}
	}
	sc.readTrains(t, in, kind)
	sc.readSurge(t, in, kind)
	t.expect("destroyed_fraction")
	in.Destroyed = sim.Fixed(0)
	if t.has("destroyed_fraction") {
		if in.Hazard != PowerFailure {
			r.errf(t.sub("destroyed_fraction"), "destroyed_fraction on an incident is for a power_failure; other hazards take it from the site's tables")
		} else {
			in.Destroyed = t.dist("destroyed_fraction", sim.Fixed(0), unitFraction)
		}
	}
	t.expect("units")
	if t.has("units") {
		switch {
		case in.Hazard != CoolingLoss && in.Hazard != Lightning:
			r.errf(t.sub("units"), "units (cooling units lost per hall) is for a cooling_loss or lightning")
		case in.Site >= 0 && !sc.Sites[in.Site].Cooling.Thermal:
			// Otherwise it would be silently ignored: the site-wide model
			// has no units.
			r.errf(t.sub("units"), "site %q has no per-hall thermal model ([sites.cooling] heat_rate), so it has no cooling units to lose", sc.Sites[in.Site].Name)
		default:
			in.UnitsLost = t.count("units", 0)
			if in.UnitsLost < 1 {
				r.errf(t.sub("units"), "must be at least 1 (leave it out when every unit is lost)")
			}
		}
	}
	keys := []string{"buildings", "halls", "domains"}
	for _, k := range keys {
		if !t.has(k) {
			continue
		}
		switch {
		case in.Hazard != "" && !kind.parts:
			r.errf(t.sub(k), "a %s hits whole sites; remove %s", in.Hazard, k)
		case len(in.Sites) > 0:
			r.errf(t.sub(k), "%s narrows an incident at one site; this one hits %d sites", k, 1+len(in.Sites))
		case in.Site >= 0:
			if parts := readParts(t, &sc.Sites[in.Site], keys...); parts != nil {
				in.Parts = [][]int{parts}
			}
		}
		break
	}
	t.expect(keys...)
}

// readBetween reads the two regions a network_partition cuts apart.
func (sc *Scenario) readBetween(t *table, in *Incident) {
	r := t.r
	if in.Hazard != "" && in.Hazard != NetworkPartition {
		r.errf(t.sub("between"), "between (two regions cut apart) is for a network_partition")
		return
	}
	for _, k := range []string{"site", "sites", "region", "buildings", "halls", "domains"} {
		if t.has(k) {
			r.errf(t.sub(k), "a partition between regions hits no site itself; remove %s", k)
		}
	}
	items := t.items("between")
	if len(items) != 2 {
		r.errf(t.sub("between"), "name two regions, e.g. [\"east\", \"west\"]")
		return
	}
	regions := map[string]int{}
	for j := range sc.Sites {
		regions[sc.Sites[j].Region] = j
	}
	for k, it := range items {
		if _, ok := regions[it.s]; !ok {
			r.errf(fmt.Sprintf("%s[%d]", t.sub("between"), it.k), "no site is in region %q%s", it.s, suggestFrom(r, it.s, regions))
		}
		in.Between[k] = it.s
	}
	if items[0].s == items[1].s {
		r.errf(t.sub("between"), "name two different regions")
	}
	in.Site = -1
}

// readSurge reads the services a traffic_surge hits and its multiplier.
func (sc *Scenario) readSurge(t *table, in *Incident, kind hazardKind) {
	r := t.r
	t.expect("services", "multiplier")
	if in.Hazard == "" {
		return
	}
	if !kind.services {
		for _, k := range []string{"services", "multiplier"} {
			if t.has(k) {
				r.errf(t.sub(k), "a %s does not surge demand; remove %s", in.Hazard, k)
			}
		}
		return
	}
	if t.required("services") {
		idx := map[string]int{}
		for i, s := range sc.Services {
			idx[s.Name] = i
		}
		in.Services = resolveServices(r, t.sub("services"), t.items("services"), idx, -1)
	}
	// No default: how much demand a holiday or a viral event brings is the
	// scenario's to say.
	t.required("multiplier")
	in.Multiplier = t.dist("multiplier", sim.Fixed(1), unitNumber)
}

func isEmptyArray(v any) bool { a, ok := v.([]any); return ok && len(a) == 0 }

// readTrains reads the power trains a power_failure hits, at its one site.
func (sc *Scenario) readTrains(t *table, in *Incident, kind hazardKind) {
	r := t.r
	t.expect("trains")
	switch {
	case in.Hazard == "":
		return
	case !kind.trains:
		if t.has("trains") {
			r.errf(t.sub("trains"), "a %s does not hit power trains; remove trains", in.Hazard)
		}
		return
	case !t.required("trains"):
		return
	case len(in.Sites) > 0:
		r.errf(t.sub("trains"), "trains are named at one site; this incident hits %d sites", 1+len(in.Sites))
		return
	case in.Site < 0:
		return
	}
	site := &sc.Sites[in.Site]
	idx := map[string]int{}
	for i, n := range site.Trains {
		idx[n] = i
	}
	items := t.items("trains")
	if v, _ := t.get("trains"); len(items) == 0 && isEmptyArray(v) {
		r.errf(t.sub("trains"), "name at least one power train")
	}
	for _, it := range items {
		p := fmt.Sprintf("%s[%d]", t.sub("trains"), it.k)
		j, ok := idx[it.s]
		switch {
		case !ok:
			r.errf(p, "unknown power train %q in site %q (trains are named by domains' feeds, or after a domain without feeds)%s", it.s, site.Name, suggestFrom(r, it.s, idx))
		case slices.Contains(in.Trains, j):
			r.errf(p, "train %q is listed twice", it.s)
		default:
			in.Trains = append(in.Trains, j)
		}
	}
}

func readIncident(t *table, sites []Site, siteIdx map[string]int) Incident {
	r := t.r
	var in Incident
	in.Name = t.str("name", "")
	if len(in.Name) > MaxNameBytes {
		r.errf(t.sub("name"), "a name of %d bytes; at most %d", len(in.Name), MaxNameBytes)
		in.Name = in.Name[:MaxNameBytes]
	}
	in.Frequency = t.uncertainDist("frequency", sim.Fixed(0), unitRate) // per hour
	in.PerYear = in.Frequency.Mean() * 8760
	// Without a valid hazard, hazard-specific keys are not checked: the
	// hazard's own message says what to fix.
	hazardOK := t.required("hazard")
	in.Hazard = Hazard(t.enum("hazard", "", HazardNames()...))
	hazardOK = hazardOK && in.Hazard != ""
	in.Site, in.Domain = -1, -1
	if hazardOK && hazardKinds[in.Hazard].services {
		// It hits services wherever they run (readScope reads them).
		if t.has("site") {
			r.errf(t.sub("site"), "a %s hits services, not a site; remove site", in.Hazard)
		}
		t.expect("site")
	} else if (t.has("region") || t.has("between")) && !t.has("site") {
		// readScope places it at the region's sites, or between regions.
	} else if t.required("site") {
		site := t.str("site", "")
		if j, ok := siteIdx[site]; ok {
			in.Site = j
		} else if _, isStr := t.m["site"].(string); isStr {
			r.errf(t.sub("site"), "unknown site %q%s", site, suggestFrom(r, site, siteIdx))
		}
	}
	dom := t.str("domain", "")
	switch {
	case !hazardOK:
		t.expect("domain", "duration")
	case in.Hazard.InDomain():
		if !t.required("domain") {
			break
		}
		if _, isStr := t.m["domain"].(string); isStr && in.Site >= 0 {
			dIdx := r.domainIndex(sites, in.Site)
			if j, ok := dIdx[dom]; ok {
				in.Domain = j
			} else {
				r.errf(t.sub("domain"), "unknown domain %q in site %q%s", dom, sites[in.Site].Name, suggestFrom(r, dom, dIdx))
			}
		}
	case t.has("domain"):
		r.errf(t.sub("domain"), "a %s affects the whole site; remove domain", in.Hazard)
	}
	if !t.has("at") {
		t.required("start")
	}
	if v, ok := t.get("start"); ok {
		switch x := v.(type) {
		case time.Time:
			if x.Location().String() == "time-local" {
				r.errf(t.sub("start"), "a time of day alone has no weekday; write a date and time such as 2022-10-15T15:19:00+09:00")
			}
			in.Start = x
		case string:
			if x == "random" {
				in.RandomStart = true
				break
			}
			ts, err := time.Parse(time.RFC3339, x)
			if err != nil {
				r.errf(t.sub("start"), "want a date-time with offset such as 2022-10-15T15:19:00+09:00 or \"random\", got %q", x)
			}
			in.Start = ts
		default:
			r.errf(t.sub("start"), "want a date-time such as 2022-10-15T15:19:00+09:00, got %s", tomlType(v))
		}
	}
	in.WeekHour = weekHour(in.Start)
	if !hazardOK {
		return in
	}
	if !in.Hazard.InDomain() {
		if !t.has("duration") {
			r.errf(t.sub("duration"), "a %s needs a duration, e.g. {dist = \"lognormal\", median = \"4h\", p95 = \"12h\"}", in.Hazard)
		}
		in.Duration = t.dist("duration", sim.Fixed(1), unitDuration)
	} else {
		t.expect("duration")
		if t.has("duration") {
			r.errf(t.sub("duration"), "a battery fire's course comes from the site's [sites.fire] table; remove duration")
		}
	}
	return in
}

// weekHour returns hours since Monday 00:00 in t's own zone.
func weekHour(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
	return float64(wd*24+t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
}
