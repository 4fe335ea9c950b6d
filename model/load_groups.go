package model

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// A service group is one [[services]] entry with count = N: N similar
// services, expanded at load time into ordinary services named
// NAME-001 … NAME-N (more digits when N ≥ 1000), so the model core sees
// nothing but services. Keys that may vary per member (memberKeys) are
// written as a plain value (every member the same), a list of N values
// (member k gets the k-th), tiers with weights (priority = {tiers =
// [1, 2, 3], weights = [0.2, 0.3, 0.5]}: contiguous blocks of members,
// sized by largest remainder) or a distribution (servers = {dist =
// "lognormal", median = 8, p95 = 40}: member k gets the quantile
// (π(k)+½)/N, π a fixed permutation that spreads sizes over the members
// and their tiers). Every other key applies to every member. Nothing is
// random: the members follow from the entry alone.

// ServiceGroup is a [[services]] entry with count: its name and its
// members (service indices, in member order).
type ServiceGroup struct {
	Name    string
	Members []int
}

// maxGroupMembers bounds the services one group expands to, and
// maxServices the services of a scenario after expansion: each service
// costs a pool per power domain in every replication, so a mistyped count
// must not exhaust memory before the first event.
const (
	maxGroupMembers = 20_000
	maxServices     = 20_000
	// maxGroupPools bounds services × power domains, the pools every
	// replication holds (about 20 bytes each), when groups make the
	// services: a 200-byte file must not ask for gigabytes.
	maxGroupPools = 20_000_000
)

// groupExtra is the services groups add beyond one per entry: what
// checking investment patches costs more than the file's keys say.
func (sc *Scenario) groupExtra() int {
	n := 0
	for _, g := range sc.Groups {
		n += len(g.Members) - 1
	}
	return n
}

// memberKeys are the keys a group may vary per member, with whether their
// values are whole numbers.
var memberKeys = []struct {
	key     string
	integer bool
}{
	{"priority", true},
	{"servers", true},
	{"peak_users", false},
	{"revenue_per_hour", false},
}

// readGroup reads the group entry t (which has a count) and returns its
// members, each an ordinary service, with the references they share.
func readGroup(t *table, sites []Site, siteIdx map[string]int, profiles map[string]*Profile, total int) ([]Service, serviceRefs) {
	r := t.r
	n := t.count("count", 0)
	switch {
	case n < 1:
		if _, ok := t.m["count"].(int64); ok || n == 0 {
			r.errf(t.sub("count"), "a group needs at least 1 member")
		}
		return nil, serviceRefs{}
	case n > maxGroupMembers:
		r.errf(t.sub("count"), "at most %d members per group, got %d", maxGroupMembers, n)
		return nil, serviceRefs{}
	case total+n > maxServices:
		r.errf(t.sub("count"), "the scenario would have %d services after expanding this group; at most %d", total+n, maxServices)
		return nil, serviceRefs{}
	}
	doms := 0
	for _, s := range sites {
		doms += len(s.Domains)
	}
	if pools := (total + n) * doms; pools > maxGroupPools {
		r.errf(t.sub("count"), "%d services × %d power domains = %d pools, at most %d: every replication holds each pool", total+n, doms, pools, maxGroupPools)
		return nil, serviceRefs{}
	}
	// The per-member values, read from t; the rest of the entry is read
	// once, as one service, from a copy without them.
	vals := make(map[string][]float64, len(memberKeys))
	rest := make(map[string]any, len(t.m))
	for k, v := range t.m {
		rest[k] = v
	}
	delete(rest, "count")
	delete(rest, "spread")
	spread := t.enum("spread", "", "building", "hall", "domain")
	for _, mk := range memberKeys {
		if v, ok := t.m[mk.key]; ok {
			vals[mk.key] = readMemberValues(t, mk.key, v, n, mk.integer)
			if _, dist := v.(map[string]any); mk.key == "servers" && !dist && slices.Contains(vals[mk.key], 0) {
				r.errf(t.sub(mk.key), "every member needs at least 1 server")
			}
			rest[mk.key] = int64(1) // placeholder: a valid value, replaced below
		}
	}
	one := &table{r: r, path: t.path, m: rest, used: map[string]bool{}}
	base, refs := readService(one, sites, siteIdx, profiles)
	t.expect("count", "spread")
	for _, mk := range memberKeys {
		t.expect(mk.key)
	}
	if base.Name != "" && len(base.Name)+1+memberDigits(n) > MaxNameBytes {
		r.errf(t.sub("name"), "group name too long for its members' names (at most %d bytes)", MaxNameBytes-1-memberDigits(n))
	}
	out := make([]Service, n)
	for k := range out {
		s := base
		s.Name = memberName(base.Name, k, n)
		s.Group = base.Name
		s.Placement = slices.Clone(base.Placement)
		if spread != "" {
			for pi := range s.Placement {
				if p := &s.Placement[pi]; p.Site >= 0 {
					if units := spreadUnits(&sites[p.Site], p.Domains, spread); len(units) > 0 {
						p.Domains = units[k%len(units)]
					}
				}
			}
		}
		s.Data = s.Data.forMember(s.Placement, sites)
		if v := vals["priority"]; v != nil {
			s.Priority = int(v[k])
		}
		if v := vals["servers"]; v != nil {
			s.Servers = max(1, int(v[k]))
		}
		if v := vals["peak_users"]; v != nil {
			s.PeakUsers = v[k]
		}
		if v := vals["revenue_per_hour"]; v != nil {
			s.RevenuePerHour = v[k]
		}
		out[k] = s
	}
	return out, refs
}

// spreadUnits splits the domains a placement may use (within-site
// indices; nil for every domain of site s) into the buildings, halls or
// single domains that spread deals members to, in domain order.
func spreadUnits(s *Site, domains []int, spread string) [][]int {
	if domains == nil {
		domains = make([]int, len(s.Domains))
		for d := range domains {
			domains[d] = d
		}
	}
	var units [][]int
	at := map[int]int{} // unit key -> index in units
	for _, d := range domains {
		key := -1 - d // a domain of its own (spread = "domain", or a hall already reported bad)
		if h := s.Domains[d].Hall; h >= 0 && h < len(s.Halls) {
			switch spread {
			case "hall":
				key = h
			case "building":
				key = s.Halls[h].Building
			}
		}
		j, ok := at[key]
		if !ok {
			j = len(units)
			at[key] = j
			units = append(units, nil)
		}
		units[j] = append(units[j], d)
	}
	return units
}

// memberDigits is the width of member numbers: at least 3.
func memberDigits(n int) int { return max(3, len(strconv.Itoa(n))) }

// memberName names member k (0-based) of a group of n: NAME-001.
func memberName(group string, k, n int) string {
	return fmt.Sprintf("%s-%0*d", group, memberDigits(n), k+1)
}

// readMemberValues reads v, the value of key in group t of n members, as
// one value per member; on a problem it reports it and returns nil (the
// members keep the service default).
func readMemberValues(t *table, key string, v any, n int, integer bool) []float64 {
	r := t.r
	path := t.sub(key)
	num := func(p string, x any) (float64, bool) {
		var f float64
		switch y := x.(type) {
		case int64:
			f = float64(y)
		case float64:
			f = y
		default:
			r.errf(p, "want a number, got %s", tomlType(x))
			return 0, false
		}
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0) || f < 0:
			r.errf(p, "want a finite number ≥ 0, got %v", f)
			return 0, false
		case integer && f != math.Trunc(f):
			r.errf(p, "want a whole number, got %v", f)
			return 0, false
		case integer && f > maxCount:
			r.errf(p, "is implausibly large (%v; at most %d)", f, maxCount)
			return 0, false
		}
		return f, true
	}
	out := make([]float64, n)
	switch x := v.(type) {
	case int64, float64:
		f, ok := num(path, x)
		if !ok {
			return nil
		}
		for k := range out {
			out[k] = f
		}
		return out
	case []any:
		if len(x) != n {
			r.errf(path, "a list gives one value per member: want %d values (count), got %d", n, len(x))
			return nil
		}
		for k, e := range x {
			f, ok := num(fmt.Sprintf("%s[%d]", path, k), e)
			if !ok {
				return nil
			}
			out[k] = f
		}
		return out
	case map[string]any:
		sub := r.table(path, x)
		if sub.has("tiers") {
			return readTiers(sub, n, integer)
		}
		return readSpread(sub, n, integer)
	}
	r.errf(path, "want a number, a list of %d numbers (one per member), {tiers = [...], weights = [...]} or a distribution such as {dist = \"lognormal\", median = 8, p95 = 40}; got %s", n, tomlType(v))
	return nil
}

// readTiers reads {tiers = [...], weights = [...]}: members in contiguous
// blocks, tier j getting a share weights[j]/Σweights of them (equal
// weights by default), apportioned by largest remainder.
func readTiers(t *table, n int, integer bool) []float64 {
	r := t.r
	tiers := t.floats("tiers")
	ok := len(tiers) > 0
	if !ok && t.has("tiers") {
		r.errf(t.sub("tiers"), "list at least one tier")
	}
	for j, v := range tiers {
		if v < 0 || math.IsInf(v, 0) || (integer && v != math.Trunc(v)) || v > maxCount {
			r.errf(fmt.Sprintf("%s[%d]", t.sub("tiers"), j), "want a whole number ≥ 0, got %v", v)
			ok = false
		}
	}
	weights := t.floats("weights")
	if t.has("weights") {
		if len(weights) != len(tiers) {
			r.errf(t.sub("weights"), "one weight per tier: want %d, got %d", len(tiers), len(weights))
			ok = false
		}
		sum := 0.0
		for j, w := range weights {
			if !(w >= 0) || math.IsInf(w, 0) {
				r.errf(fmt.Sprintf("%s[%d]", t.sub("weights"), j), "want a weight ≥ 0, got %v", w)
				ok = false
			}
			sum += w
		}
		if ok && !(sum > 0) {
			r.errf(t.sub("weights"), "weights add up to 0")
			ok = false
		}
	} else {
		weights = make([]float64, len(tiers))
		for j := range weights {
			weights[j] = 1
		}
	}
	t.done()
	if !ok {
		return nil
	}
	counts := apportion(n, len(tiers), func(j int) float64 { return weights[j] })
	out := make([]float64, 0, n)
	for j, c := range counts {
		for range c {
			out = append(out, tiers[j])
		}
	}
	return out
}

// readSpread reads a distribution of member values: {dist = "lognormal",
// median, p95}, {dist = "uniform", min, max} or {dist = "triangular",
// min, mode, max}. Member k gets the quantile (π(k)+½)/n, rounded for
// whole numbers, where π(k) = k·s mod n with s the whole number nearest
// 0.618·n that is prime to n: the group holds the distribution's quantiles
// exactly, and neighbouring members (the same tier) get sizes far apart.
func readSpread(t *table, n int, integer bool) []float64 {
	r := t.r
	if !t.has("dist") {
		r.errf(t.sub("dist"), "missing required key \"dist\" (lognormal, uniform or triangular), or give tiers = [...]")
		t.expect("median", "p95", "min", "mode", "max")
		t.done()
		return nil
	}
	kind := t.enum("dist", "", "lognormal", "uniform", "triangular")
	var d sim.Dist
	ok := kind != ""
	pos := func(key string) float64 {
		if !t.required(key) {
			ok = false
			return 0
		}
		x := t.nonNeg(key, math.NaN())
		if math.IsNaN(x) {
			ok = false
		}
		return x
	}
	switch kind {
	case "lognormal":
		med, p95 := pos("median"), pos("p95")
		if ok && !(med > 0 && p95 >= med) {
			r.errf(t.sub("p95"), "want 0 < median ≤ p95, got median %v, p95 %v", med, p95)
			ok = false
		}
		d = sim.LognormalMedianP95(med, p95)
	case "uniform":
		lo, hi := pos("min"), pos("max")
		if ok && hi < lo {
			r.errf(t.sub("max"), "want min ≤ max, got %v > %v", lo, hi)
			ok = false
		}
		d = sim.Dist{Kind: sim.Uniform, A: lo, B: hi}
	case "triangular":
		lo, mode, hi := pos("min"), pos("mode"), pos("max")
		if ok && !(lo <= mode && mode <= hi) {
			r.errf(t.sub("mode"), "want min ≤ mode ≤ max, got %v, %v, %v", lo, mode, hi)
			ok = false
		}
		d = sim.Dist{Kind: sim.Triangular, A: lo, B: mode, C: hi}
	}
	t.done()
	if !ok {
		return nil
	}
	s := spreadStride(n)
	out := make([]float64, n)
	for k := range out {
		x := d.Quantile((float64(k*s%n) + 0.5) / float64(n))
		if integer {
			x = math.Min(math.Round(x), maxCount)
		}
		out[k] = x
	}
	return out
}

// spreadStride is the whole number nearest 0.618·n that is prime to n
// (1 for n ≤ 2), the step of readSpread's permutation.
func spreadStride(n int) int {
	if n <= 2 {
		return 1
	}
	gcd := func(a, b int) int {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	s := int(math.Round(0.6180339887498949 * float64(n)))
	for d := 0; ; d++ {
		if c := s + d; c < n && gcd(c, n) == 1 {
			return c
		}
		if c := s - d; c > 0 && gcd(c, n) == 1 {
			return c
		}
	}
}

// indexServiceNames indexes services by name, reporting duplicates at the
// name of the entry (a group's for its members), and records the groups
// on r so that lists of services may name a group for all its members.
// A group name may not also name a service.
func indexServiceNames(r *reader, sc *Scenario, entries []*table) map[string]int {
	idx := make(map[string]int, len(sc.Services))
	for i, s := range sc.Services {
		if s.Name == "" {
			continue
		}
		if j, dup := idx[s.Name]; dup {
			if s.Group == "" || s.Group != sc.Services[j].Group {
				r.errf(entries[i].sub("name"), "duplicate name %q (also %s)", s.Name, entries[j].path)
			}
			continue
		}
		idx[s.Name] = i
	}
	r.groups = make(map[string][]int, len(sc.Groups))
	for gi, g := range sc.Groups {
		if g.Name == "" {
			continue
		}
		at := entries[g.Members[0]]
		if j, dup := idx[g.Name]; dup {
			r.errf(at.sub("name"), "group %q has the name of service %s (%s); lists of services name a group for all its members, so the two must differ", g.Name, sc.Services[j].Name, entries[j].path)
			continue
		}
		if _, dup := r.groups[g.Name]; dup {
			r.errf(at.sub("name"), "duplicate group name %q", g.Name)
			continue
		}
		r.groups[g.Name] = sc.Groups[gi].Members
	}
	return idx
}

// resolveGroup appends the members of the group named at path p to out:
// a list naming a group means every member. A member does not depend on
// its own group (self is left out), and a member listed already is
// reported once.
func resolveGroup(r *reader, p, name string, members []int, listed intSet, self int, out []int) []int {
	if slices.Contains(members, self) {
		r.errf(p, "a member of group %q cannot depend on its own group", name)
		return out
	}
	for _, j := range members {
		if listed.has(j) {
			r.errf(p, "group %q: its member %d is listed already", name, slices.Index(members, j)+1)
			return out
		}
		listed.add(j)
		out = append(out, j)
	}
	return out
}

// ResultGroups returns the service groups as results summaries take them
// (Collector.SetGroups): each group's name and its members' names.
func (sc *Scenario) ResultGroups() []results.Group {
	var out []results.Group
	for _, g := range sc.Groups {
		rg := results.Group{Name: g.Name, Members: make([]string, len(g.Members))}
		for k, i := range g.Members {
			rg.Members[k] = sc.Services[i].Name
		}
		out = append(out, rg)
	}
	return out
}

// sameServices reports whether variant v of sc (a sweep point, an
// investment portfolio) has sc's services, in sc's order: variants are
// compared service by service, replication by replication, so a change
// that adds services or changes a group's count cannot be one.
func sameServices(sc, v *Scenario) error {
	if len(v.Services) != len(sc.Services) {
		return fmt.Errorf("it has %d services where the scenario has %d (a group's count or a new service): variants are compared service by service, so they must have the same services", len(v.Services), len(sc.Services))
	}
	for i := range v.Services {
		if v.Services[i].Name != sc.Services[i].Name {
			return fmt.Errorf("service %d is %q where the scenario has %q: variants are compared service by service, so they must have the same services", i, v.Services[i].Name, sc.Services[i].Name)
		}
	}
	return nil
}
