package model

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dcsim/dcsim/sim"
)

// serviceRefs are the service names a service refers to, resolved once
// every service is known.
type serviceRefs struct {
	dependsOn, failoverRequires []item
	manualRequires              []item // failover.manual_requires
}

func readService(t *table, sites []Site, siteIdx map[string]int, profiles map[string]*Profile) (Service, serviceRefs) {
	r := t.r
	var s Service
	s.Name = t.name()
	s.Kind = t.enum("kind", "user", "user", "control")
	s.Priority = t.count("priority", 100)
	s.Mode = Mode(t.enum("mode", "", string(SingleSite), string(ActiveStandby), string(ActiveActive)))
	if !t.has("mode") {
		s.Mode = SingleSite
	} // else an invalid mode stays "": the checks that depend on it are skipped
	s.Standby = t.enum("standby", "warm", "hot", "warm", "cold")
	t.required("servers")
	s.Servers = t.count("servers", 1)
	if s.Servers < 1 {
		r.errf(t.sub("servers"), "must be at least 1")
		s.Servers = 1
	}
	s.Utilisation = t.prob("utilisation", 0.6)
	if s.Utilisation == 0 {
		r.errf(t.sub("utilisation"), "must be above 0")
		s.Utilisation = 0.6
	}
	s.RetrySurge = t.number("retry_surge", 1.3)
	if s.RetrySurge < 1 {
		r.errf(t.sub("retry_surge"), "is a demand multiplier ≥ 1, got %v", s.RetrySurge)
		s.RetrySurge = 1
	}
	s.Quorum = t.prob("quorum", 0.5)
	s.Equipment = EquipNames[t.enum("equipment", "compute", "compute", "storage", "network")]
	if t.has("overload") {
		// No default limit or shedding time: whether and when a service
		// falls over is the scenario's to say.
		ot := t.child("overload")
		ot.required("limit")
		ot.required("shed_delay")
		s.Overload.Limit = ot.number("limit", 0)
		if s.Overload.Limit < 1 && ot.has("limit") {
			r.errf(ot.sub("limit"), "is offered load over serving capacity at which the service collapses, at least 1; got %v", s.Overload.Limit)
			s.Overload.Limit = 0
		}
		s.Overload.ShedDelay = ot.dist("shed_delay", sim.Fixed(1), unitDuration)
		ot.done()
	}
	s.Detection = t.dist("detection", sim.LognormalMedianP95(5.0/60, 20.0/60), unitDuration)
	fo := t.child("failover")
	// Automatic only where the scenario says so: automatic = true, or an
	// automatic failover time.
	s.FailoverAutomatic = fo.boolean("automatic", fo.has("auto"))
	s.FailoverAuto = fo.dist("auto", sim.LognormalMedianP95(5.0/60, 20.0/60), unitDuration)
	s.FailoverManual = fo.dist("manual", sim.LognormalMedianP95(4, 12), unitDuration)
	s.FailoverSuccess = fo.prob("success", 0.95)
	s.Warmup = fo.dist("warmup", defaultWarmup[s.Standby], unitDuration)
	s.FailbackOutage = fo.duration("failback_outage", 0)
	s.MaxDataLoss = readMaxDataLoss(fo)
	manual := fo.items("manual_requires")
	fo.done()
	s.Reroute = t.dist("reroute", sim.LognormalMedianP95(5.0/60, 15.0/60), unitDuration)
	s.Restore = t.dist("restore", sim.LognormalMedianP95(1, 4), unitDuration)
	var refs serviceRefs
	refs.dependsOn = t.items("depends_on") // resolved once all services are known
	refs.failoverRequires = t.items("failover_requires")
	refs.manualRequires = manual

	defRepl := "none"
	if s.Mode != SingleSite {
		defRepl = "async"
	}
	s.Replication = t.enum("replication", defRepl, "none", "sync", "async", "backup")
	s.ReplicationLag = t.dist("replication_lag", sim.LognormalMedianP95(2.0/3600, 30.0/3600), unitDuration)
	s.BackupInterval = t.duration("backup_interval", 24)

	s.PeakUsers = t.nonNeg("peak_users", 0)
	s.RequestsPerUserHour = t.nonNeg("requests_per_user_hour", 0)
	s.RevenuePerHour = t.nonNeg("revenue_per_hour", 0)
	pname := t.str("profile", "consumer")
	if p, ok := profiles[pname]; ok {
		s.Profile = *p
	} else {
		r.errf(t.sub("profile"), "unknown profile %q%s (define it under [profiles.%s])", pname, suggestFrom(r, pname, profiles), pname)
	}

	s.Relocate.Site = -1
	if t.has("relocate") {
		rt := t.child("relocate")
		if rt.required("site") {
			name := rt.str("site", "")
			if j, ok := siteIdx[name]; ok {
				s.Relocate.Site = j
			} else {
				r.errf(rt.sub("site"), "unknown site %q%s", name, suggestFrom(r, name, siteIdx))
			}
		}
		// No default: how long new capacity takes is the scenario's to say.
		rt.required("lead_time")
		s.Relocate.LeadTime = rt.dist("lead_time", sim.Fixed(0), unitDuration)
		rt.done()
		if s.Mode == ActiveActive {
			r.errf(t.sub("relocate"), "an active-active service shifts its traffic to its other sites; relocate is for single-site and active-standby services")
			s.Relocate.Site = -1
		}
	}

	s.Primary, s.Secondary = -1, -1
	placement := t.tables("placement")
	placed := intSet{}
	for _, pt := range placement {
		p := Placement{Site: -1}
		if pt.required("site") {
			site := pt.str("site", "")
			if j, ok := siteIdx[site]; ok {
				p.Site = j
			} else if _, isStr := pt.m["site"].(string); isStr {
				r.errf(pt.sub("site"), "unknown site %q%s", site, suggestFrom(r, site, siteIdx))
			}
			if placed.has(p.Site) && p.Site >= 0 {
				r.errf(pt.sub("site"), "site %q is placed twice", site)
			}
			placed.add(p.Site)
		}
		pt.required("share")
		p.Share = pt.prob("share", math.NaN()) // NaN: missing or invalid, already reported
		if p.Share == 0 {
			r.errf(pt.sub("share"), "must be above 0 (leave out a site the service does not use)")
		}
		if p.Site >= 0 {
			p.Domains = readParts(pt, &sites[p.Site], "building", "hall", "domains")
		} else {
			pt.expect("building", "hall", "domains")
		}
		pt.done()
		if p.Site >= 0 && p.Site == s.Relocate.Site {
			r.errf(pt.sub("site"), "site %q is also the service's relocate site; relocate to a site it is not placed at", sites[p.Site].Name)
		}
		s.Placement = append(s.Placement, p)
	}
	if len(placement) == 0 && (!t.has("placement") || isArray(t.m["placement"])) {
		r.errf(t.sub("placement"), "service %q needs a placement: [{site = \"...\", share = 1.0}]", s.Name)
	}
	s.Data = readServiceData(t, &s, sites, siteIdx)
	t.done()
	return s, refs
}

var defaultWarmup = map[string]sim.Dist{
	"hot":  sim.Fixed(0),
	"warm": sim.LognormalMedianP95(0.5, 2),
	"cold": sim.LognormalMedianP95(8, 24),
}

// resolveServices turns the names listed at path into service indices,
// reporting unknown names, self (when self ≥ 0) and repeats. A group's
// name stands for all its members.
func resolveServices(r *reader, path string, names []item, idx map[string]int, self int) []int {
	var out []int
	listed := intSet{}
	for _, it := range names {
		p := fmt.Sprintf("%s[%d]", path, it.k)
		j, ok := idx[it.s]
		if members, isGroup := r.groups[it.s]; isGroup && !ok {
			out = resolveGroup(r, p, it.s, members, listed, self, out)
			continue
		}
		switch {
		case !ok:
			r.errf(p, "unknown service %q%s", it.s, suggestFrom(r, it.s, idx))
		case j == self && (strings.HasSuffix(path, "failover_requires") || strings.HasSuffix(path, "manual_requires")):
			r.errf(p, "service %q cannot require itself for its own failover", it.s)
		case j == self:
			r.errf(p, "service %q depends on itself", it.s)
		case listed.has(j):
			r.errf(p, "service %q is listed twice", it.s)
		default:
			listed.add(j)
			out = append(out, j)
		}
	}
	return out
}

// checkPlacement checks shares, mode constraints and per-site capacity,
// then turns shares into server counts.
func (sc *Scenario) checkPlacement(r *reader, tables []*table) {
	used := make([]int, len(sc.Sites))
	for i := range sc.Services {
		s := &sc.Services[i]
		path := tables[i].path
		if len(s.Placement) == 0 {
			continue
		}
		sum := 0.0
		for _, p := range s.Placement {
			sum += p.Share
		}
		if math.IsNaN(sum) {
			continue // a share is missing or invalid: reported where it is read
		}
		// A group's members share the entry: its problems once, not per member.
		again := i > 0 && s.Group != "" && sc.Services[i-1].Group == s.Group
		if math.Abs(sum-1) > 1e-6 {
			if !again {
				r.errf(path+".placement", "shares of service %q add up to %.6g, not 1", s.Name, sum)
			}
			continue
		}
		switch {
		case again:
		case s.Mode == SingleSite:
			if len(s.Placement) != 1 {
				r.errf(path+".placement", "a single-site service is placed at exactly one site (got %d); use mode = \"active-standby\" or \"active-active\"", len(s.Placement))
			}
		case s.Mode == ActiveStandby, s.Mode == ActiveActive:
			if len(s.Placement) < 2 {
				r.errf(path+".placement", "an %s service needs at least two sites", s.Mode)
			}
		}
		s.Primary = s.Placement[0].Site
		if len(s.Placement) > 1 {
			s.Secondary = s.Placement[1].Site
		}
		// Largest remainder so the counts add up to Servers exactly.
		counts := apportion(s.Servers, len(s.Placement), func(k int) float64 { return s.Placement[k].Share })
		for k := range s.Placement {
			s.Placement[k].Servers = counts[k]
			if s.Placement[k].Site >= 0 {
				used[s.Placement[k].Site] += counts[k]
			}
			if counts[k] == 0 && s.Placement[k].Share > 0 {
				r.errf(fmt.Sprintf("%s.placement[%d].share", path, k), "%g of %d servers rounds to no server at all; give the service more servers or this site a larger share", s.Placement[k].Share, s.Servers)
			}
		}
	}
	for j, site := range sc.Sites {
		have := 0
		for _, d := range site.Domains {
			have += d.Servers
		}
		if used[j] > have {
			r.errf(fmt.Sprintf("sites[%d].domains", j), "services place %d servers at site %q but its domains hold only %d", used[j], site.Name, have)
			continue
		}
		_, _, short := placeSite(&sc.Sites[j], j, sc.Services)
		for _, s := range short {
			for k, p := range sc.Services[s].Placement {
				if p.Site == j {
					r.errf(fmt.Sprintf("%s.placement[%d]", tables[s].path, k), "%d servers confined to %d domain(s) of site %q that have too little room left (placements confined to part of a site are placed first, in service order)", p.Servers, len(p.Domains), site.Name)
				}
			}
		}
	}
}

// apportion splits total into n integer parts proportional to w(k), by
// largest remainder, so that they add up to total.
func apportion(total, n int, w func(int) float64) []int {
	out := make([]int, n)
	sum := 0.0
	for k := 0; k < n; k++ {
		sum += w(k)
	}
	if n == 0 || sum <= 0 {
		return out
	}
	type rem struct {
		k int
		f float64
	}
	rems := make([]rem, n)
	given := 0
	for k := 0; k < n; k++ {
		x := float64(total) * w(k) / sum
		out[k] = int(math.Floor(x))
		given += out[k]
		rems[k] = rem{k, x - math.Floor(x)}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].f > rems[b].f })
	for i := 0; given < total && i < n; i++ {
		out[rems[i].k]++
		given++
	}
	return out
}

// topoOrder orders services so dependencies come first, reporting each
// dependency cycle with its members.
func (sc *Scenario) topoOrder(r *reader, tables []*table) []int {
	n := len(sc.Services)
	state := make([]int, n) // 0 new, 1 on stack, 2 done
	var order []int
	var stack []int
	at := make([]int, n) // position on the stack
	reported := map[string]bool{}
	var visit func(i int)
	visit = func(i int) {
		state[i] = 1
		at[i] = len(stack)
		stack = append(stack, i)
		for _, j := range sc.Services[i].DependsOn {
			switch state[j] {
			case 0:
				visit(j)
			case 1:
				if len(reported) == maxCycleReports {
					break
				}
				// Cycle: from j's position on the stack to the top.
				k := at[j]
				names := []string{}
				for _, x := range stack[k:] {
					names = append(names, sc.Services[x].Name)
				}
				names = append(names, sc.Services[j].Name)
				key := canonicalCycle(stack[k:])
				if !reported[key] {
					reported[key] = true
					r.errf(tables[i].sub("depends_on"), "dependency cycle: %s", strings.Join(cycleNames(names), " → "))
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[i] = 2
		order = append(order, i)
	}
	for i := 0; i < n; i++ {
		if state[i] == 0 {
			visit(i)
		}
	}
	return order
}

func canonicalCycle(c []int) string {
	m := 0
	for k := range c {
		if c[k] < c[m] {
			m = k
		}
	}
	var b strings.Builder
	for k := range c {
		fmt.Fprintf(&b, "%d,", c[(m+k)%len(c)])
	}
	return b.String()
}
