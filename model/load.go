package model

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/dcsim/dcsim/sim"
)

// Load reads and validates the scenario at path. A *ValidationError lists
// every problem found; other errors are I/O errors.
func Load(path string) (*Scenario, error) {
	src, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// Parse validates the TOML scenario src, naming it file in messages.
func Parse(file string, src []byte) (*Scenario, error) {
	raw, lines, err := parseRaw(file, src)
	if err != nil {
		return nil, err
	}
	return build(file, src, raw, lines)
}

// parseRaw decodes TOML into generic maps, turning syntax errors into a
// ValidationError with the line.
func parseRaw(file string, src []byte) (map[string]any, lineIndex, error) {
	if len(src) > MaxFileBytes {
		return nil, nil, tooLarge(file, fmt.Sprintf("%d bytes", len(src)))
	}
	limit, malformed := prescan(string(src))
	if limit != nil {
		limit.File = file
		return nil, nil, &ValidationError{Issues: []Issue{*limit}}
	}
	raw := map[string]any{}
	if _, err := toml.Decode(string(src), &raw); err != nil {
		var pe toml.ParseError
		is := Issue{File: file, Msg: "TOML syntax: " + err.Error()}
		if errors.As(err, &pe) {
			is.Line = parseErrorLine(string(src), pe.Position)
			is.Msg = "TOML syntax: " + pe.Message
		}
		return nil, nil, &ValidationError{Issues: []Issue{syntaxIssue(is, malformed)}}
	}
	return raw, indexLines(string(src)), nil
}

func build(file string, src []byte, raw map[string]any, lines lineIndex) (*Scenario, error) {
	r := &reader{file: file, lines: lines}
	sc := &Scenario{File: file, Source: src}
	root := r.table("", raw)
	sc.read(root)
	sc.raw, sc.lines = raw, lines
	sc.readCatalogue(root)
	sc.readInvestments(root)
	sc.readObserved(root)
	root.done()
	if len(r.issues) > 0 {
		sort.SliceStable(r.issues, func(i, j int) bool { return r.issues[i].Line < r.issues[j].Line })
		return nil, &ValidationError{Issues: r.issues, More: r.more}
	}
	return sc, nil
}

// Defaults, with their sources (docs/reference-figures.md).
var (
	defaultServerRate = 0.03 / 8760 // 2–4%/yr field replacement (Schroeder & Gibson, FAST'07)
	// ~20 rack failures/yr in a 1,800-server cluster of 40-server racks (J. Dean).
	defaultRackRate = 20.0 / (1800.0 / 40) / 8760
	// ~1 PDU failure/yr per 1,800 servers, PDUs of 500–1,000 machines (J. Dean).
	defaultPDURate = 1.0 / (1800.0 / 750) / 8760
	// A well-maintained generator has ~20% chance of failing within a
	// 2-week run (NREL 2020): λ = -ln(0.8)/336 h.
	defaultGenRunFail = -math.Log(0.8) / 336
)

func (sc *Scenario) read(t *table) {
	r := t.r
	sc.Name = t.name()
	if sc.Name != "" && !validName(sc.Name) {
		r.errf("name", "%q: use at most %d of letters, digits, '-', '_' and '.' (it names the results directory)", clip(sc.Name), MaxNameBytes)
	}
	sc.Description = t.str("description", "")
	sc.Currency = t.str("currency", "USD")
	sc.Seed = t.seed("seed", 1)
	sc.Replications = t.count("replications", 1000)
	if sc.Replications < 1 {
		r.errf("replications", "must be at least 1")
		sc.Replications = 1
	}
	sc.Horizon = t.duration("horizon", 14*24)
	switch {
	case !(sc.Horizon > 0):
		r.errf("horizon", "must be positive")
		sc.Horizon = 14 * 24
	case sc.Horizon > maxHorizon:
		r.errf("horizon", "at most %gy (%gh): dcsim simulates incidents, not decades", maxHorizon/8760, maxHorizon)
		sc.Horizon = maxHorizon
	}
	sc.RecoveredThreshold = t.prob("recovered_threshold", 0.99)
	if sc.RecoveredThreshold == 0 {
		r.errf("recovered_threshold", "must be above 0")
		sc.RecoveredThreshold = 0.99
	}

	profiles := builtinProfiles()
	pt := t.child("profiles")
	names := sortedKeys(pt.m)
	for _, name := range names {
		p := readProfile(r, pt.sub(name), name, pt.m[name])
		profiles[name] = p
		pt.expect(name)
	}
	pt.done()

	siteTables := t.tables("sites")
	var neighbours [][][]item // [site][domain] names, resolved below
	for _, st := range siteTables {
		s, nb := readSite(st)
		sc.Sites = append(sc.Sites, s)
		neighbours = append(neighbours, nb)
	}
	if len(sc.Sites) == 0 && (!t.has("sites") || isArray(t.m["sites"])) {
		r.errf("sites", "a scenario needs at least one [[sites]] table")
	}
	siteIdx := indexNames(r, "sites", len(sc.Sites), func(i int) string { return sc.Sites[i].Name })
	for si := range sc.Sites {
		site := &sc.Sites[si]
		dIdx := domainIndex(*site)
		for di := range site.Domains {
			listed := intSet{}
			for _, it := range neighbours[si][di] {
				nb := it.s
				j, ok := dIdx[nb]
				path := fmt.Sprintf("%s.domains[%d].neighbours[%d]", siteTables[si].path, di, it.k)
				switch {
				case !ok:
					r.errf(path, "unknown domain %q in site %q%s", nb, site.Name, suggestFrom(r, nb, dIdx))
				case j == di:
					r.errf(path, "a domain cannot neighbour itself")
				case listed.has(j):
					r.errf(path, "domain %q is listed twice", nb)
				default:
					listed.add(j)
					site.Domains[di].Neighbours = append(site.Domains[di].Neighbours, j)
				}
			}
		}
	}
	sc.checkBackground(r, siteTables)

	svcTables := t.tables("services")
	if len(svcTables) == 0 && (!t.has("services") || isArray(t.m["services"])) {
		r.errf("services", "a scenario needs at least one [[services]] table")
	}
	var refs []serviceRefs
	for _, st := range svcTables {
		s, ref := readService(st, siteIdx, profiles)
		sc.Services = append(sc.Services, s)
		refs = append(refs, ref)
	}
	svcIdx := indexNames(r, "services", len(sc.Services), func(i int) string { return sc.Services[i].Name })
	for i, st := range svcTables {
		s := &sc.Services[i]
		s.DependsOn = resolveServices(r, st.sub("depends_on"), refs[i].dependsOn, svcIdx, i)
		s.FailoverRequires = resolveServices(r, st.sub("failover_requires"), refs[i].failoverRequires, svcIdx, i)
	}
	sc.checkPlacement(r, svcTables)
	sc.Order = sc.topoOrder(r, svcTables)

	ot := t.child("operations")
	sc.Ops.Drilled = ot.boolean("drilled", false)
	sc.Ops.DrillSpeedup = ot.positive("drill_speedup", 3)
	sc.Ops.OpsTools = resolveServices(r, "operations.ops_tools", ot.items("ops_tools"), svcIdx, -1)
	sc.Ops.OpsSlowdown = ot.positive("ops_slowdown", 2)
	sc.Ops.RestoreCrews = ot.count("restore_crews", 4)
	if sc.Ops.RestoreCrews < 1 {
		r.errf("operations.restore_crews", "must be at least 1")
		sc.Ops.RestoreCrews = 1
	}
	sc.Ops.ControlThreshold = ot.prob("control_plane_threshold", 0.5)
	sc.Ops.MaxFailoverTries = ot.count("max_failover_tries", 3)
	if sc.Ops.MaxFailoverTries < 1 {
		r.errf("operations.max_failover_tries", "must be at least 1")
		sc.Ops.MaxFailoverTries = 1
	}
	ot.done()
	sc.KeyServices = resolveServices(r, "key_services", t.items("key_services"), svcIdx, -1)

	et := t.child("economics")
	sc.Economics.ValuePerUserHour = et.nonNeg("value_per_user_hour", 0)
	sc.Economics.CompensationPerUserHour = et.nonNeg("compensation_per_user_hour", 0)
	et.done()

	sc.readIncidents(t, siteIdx)
}

// maxHorizon bounds the simulated time per replication, in hours (10
// years): impact is integrated hour by hour, so an absurd horizon would
// make a replication run for ever.
const maxHorizon = 10 * 8760.0

// maxBackgroundEvents bounds the expected number of independent server,
// rack and PDU failures per replication. Real fleets are far below it
// (107,000 servers at 3%/yr give ~120 failures in 14 days); above it a
// rate was almost certainly written with the wrong unit, and a replication
// would take minutes or never end.
const maxBackgroundEvents = 1e6

// checkBackground rejects failure rates that would flood a replication
// with events.
func (sc *Scenario) checkBackground(r *reader, tables []*table) {
	for i, site := range sc.Sites {
		bg := site.Failures
		n := 0.0
		for _, d := range site.Domains {
			n += float64(d.Servers)
		}
		perH := n * (bg.ServerRate + bg.RackRate/float64(bg.RackSize) + bg.PDURate/float64(bg.PDUSize))
		if ev := perH * sc.Horizon; ev > maxBackgroundEvents {
			r.errf(tables[i].sub("failures"), "failure rates give %.3g independent failures per replication at site %q (%.3g/h over %gh); at most %g: check the units (\"3%%/yr\" is per server per year)", ev, site.Name, perH, sc.Horizon, maxBackgroundEvents)
		}
	}
}

func isArray(v any) bool {
	switch v.(type) {
	case []any, []map[string]any:
		return true
	}
	return false
}

func validName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return s != "" && s != "." && s != ".." && len(s) <= MaxNameBytes
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func indexNames(r *reader, arr string, n int, name func(int) string) map[string]int {
	idx := map[string]int{}
	for i := 0; i < n; i++ {
		nm := name(i)
		if nm == "" {
			continue
		}
		if j, dup := idx[nm]; dup {
			r.errf(fmt.Sprintf("%s[%d].name", arr, i), "duplicate name %q (also %s[%d])", nm, arr, j)
			continue
		}
		idx[nm] = i
	}
	return idx
}

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
	s.Crews = t.count("crews", 4)
	if s.Crews < 1 {
		r.errf(t.sub("crews"), "must be at least 1")
		s.Crews = 1
	}
	s.Repower = t.dist("repower", sim.LognormalMedianP95(1, 4), unitDuration)
	s.ServerCost = t.nonNeg("server_cost", 10000)

	f := t.child("fire")
	fp := &s.Fire
	fp.Detection = f.dist("detection", sim.LognormalMedianP95(3.0/60, 15.0/60), unitDuration)
	fp.Suppression = f.enum("suppression", "sprinkler", "none", "sprinkler", "water_mist", "gas", "aerosol")
	fp.SuppressionSuccess = f.prob("suppression_success", defaultSuppression[fp.Suppression])
	fp.SuppressedExtinguish = f.dist("suppressed_extinguish", sim.LognormalMedianP95(20.0/60, 1), unitDuration)
	fp.Extinguish = f.dist("extinguish", sim.LognormalMedianP95(6, 14), unitDuration)
	fp.HeatDamage = f.dist("heat_damage", sim.LognormalMedianP95(0.5, 1), unitDuration)
	fp.SpreadProbability = f.prob("spread_probability", 0.5)
	fp.SpreadDelay = f.dist("spread_delay", sim.LognormalMedianP95(40.0/60, 2), unitDuration)
	fp.PowerCutProbability = f.prob("power_cut_probability", 1)
	fp.PowerCutDelay = f.dist("power_cut_delay", sim.LognormalMedianP95(1.5, 3), unitDuration)
	fp.Inspection = f.dist("inspection", sim.LognormalMedianP95(6, 16), unitDuration)
	fp.ReplacementLeadTime = f.dist("replacement_lead_time", sim.LognormalMedianP95(48, 120), unitDuration)
	fp.DestroyedFraction = f.dist("destroyed_fraction", sim.Fixed(0.05), unitFraction)
	fp.ServerLeadTime = f.dist("server_lead_time", sim.LognormalMedianP95(72, 168), unitDuration)
	fp.DamageCost = f.nonNeg("damage_cost", 0)
	f.done()

	c := t.child("cooling")
	s.Cooling.ThermalBuffer = c.dist("thermal_buffer", sim.LognormalMedianP95(20.0/60, 45.0/60), unitDuration)
	s.Cooling.OverheatDestroyed = c.dist("overheat_destroyed", sim.Fixed(0), unitFraction)
	c.done()

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
	for _, dt := range t.tables("domains") {
		d, nb := readDomain(dt)
		s.Domains = append(s.Domains, d)
		neighbours = append(neighbours, nb)
	}
	if len(s.Domains) == 0 && (!t.has("domains") || isArray(t.m["domains"])) {
		r.errf(t.sub("domains"), "site %q needs at least one [[sites.domains]] power domain", s.Name)
	}
	indexNames(r, t.sub("domains"), len(s.Domains), func(i int) string { return s.Domains[i].Name })
	t.done()
	return s, neighbours
}

// Suppression success for a lithium-ion battery fire by system type:
// assumptions (Li-ion thermal runaway re-ignites under water sprinklers;
// clean-agent gas and aerosol act on the room). Override per site.
var defaultSuppression = map[string]float64{
	"none": 0, "sprinkler": 0.05, "water_mist": 0.3, "gas": 0.5, "aerosol": 0.4,
}

func readDomain(t *table) (Domain, []item) {
	r := t.r
	var d Domain
	d.Name = t.name()
	t.required("servers")
	d.Servers = t.count("servers", 0)
	neighbours := t.items("neighbours") // resolved once all domains are known
	u := t.child("ups")
	d.UPS.Chemistry = u.enum("chemistry", "vrla", "li-ion", "vrla", "nicd", "flywheel")
	d.UPS.RideThrough = u.duration("ride_through", 10.0/60)
	u.done()
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
	gen.StartTime = g.duration("start_time", 15.0/3600)
	gen.Fuel = g.duration("fuel", 24)
	gen.RefuelProb = g.prob("refuel_probability", 0.95)
	gen.RunFailRate = g.rate("run_failure_rate", defaultGenRunFail)
	g.done()
	t.done()
	return d, neighbours
}

// serviceRefs are the service names a service refers to, resolved once
// every service is known.
type serviceRefs struct {
	dependsOn, failoverRequires []item
}

func readService(t *table, siteIdx map[string]int, profiles map[string]*Profile) (Service, serviceRefs) {
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
	s.Detection = t.dist("detection", sim.LognormalMedianP95(5.0/60, 20.0/60), unitDuration)
	fo := t.child("failover")
	s.FailoverAuto = fo.dist("auto", sim.LognormalMedianP95(5.0/60, 20.0/60), unitDuration)
	s.FailoverManual = fo.dist("manual", sim.LognormalMedianP95(4, 12), unitDuration)
	s.FailoverSuccess = fo.prob("success", 0.95)
	s.Warmup = fo.dist("warmup", defaultWarmup[s.Standby], unitDuration)
	s.FailbackOutage = fo.duration("failback_outage", 0)
	fo.done()
	s.Reroute = t.dist("reroute", sim.LognormalMedianP95(5.0/60, 15.0/60), unitDuration)
	s.Restore = t.dist("restore", sim.LognormalMedianP95(1, 4), unitDuration)
	var refs serviceRefs
	refs.dependsOn = t.items("depends_on") // resolved once all services are known
	refs.failoverRequires = t.items("failover_requires")

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
		pt.done()
		s.Placement = append(s.Placement, p)
	}
	if len(placement) == 0 && (!t.has("placement") || isArray(t.m["placement"])) {
		r.errf(t.sub("placement"), "service %q needs a placement: [{site = \"...\", share = 1.0}]", s.Name)
	}
	t.done()
	return s, refs
}

var defaultWarmup = map[string]sim.Dist{
	"hot":  sim.Fixed(0),
	"warm": sim.LognormalMedianP95(0.5, 2),
	"cold": sim.LognormalMedianP95(8, 24),
}

// resolveServices turns the names listed at path into service indices,
// reporting unknown names, self (when self ≥ 0) and repeats.
func resolveServices(r *reader, path string, names []item, idx map[string]int, self int) []int {
	var out []int
	listed := intSet{}
	for _, it := range names {
		p := fmt.Sprintf("%s[%d]", path, it.k)
		j, ok := idx[it.s]
		switch {
		case !ok:
			r.errf(p, "unknown service %q%s", it.s, suggestFrom(r, it.s, idx))
		case j == self && strings.HasSuffix(path, "failover_requires"):
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
		if math.Abs(sum-1) > 1e-6 {
			r.errf(path+".placement", "shares of service %q add up to %.6g, not 1", s.Name, sum)
			continue
		}
		switch s.Mode {
		case SingleSite:
			if len(s.Placement) != 1 {
				r.errf(path+".placement", "a single-site service is placed at exactly one site (got %d); use mode = \"active-standby\" or \"active-active\"", len(s.Placement))
			}
		case ActiveStandby, ActiveActive:
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

func readIncident(t *table, sites []Site, siteIdx map[string]int) Incident {
	r := t.r
	var in Incident
	in.Name = t.str("name", "")
	if len(in.Name) > MaxNameBytes {
		r.errf(t.sub("name"), "a name of %d bytes; at most %d", len(in.Name), MaxNameBytes)
		in.Name = in.Name[:MaxNameBytes]
	}
	in.Frequency = t.dist("frequency", sim.Fixed(0), unitRate) // per hour
	in.PerYear = in.Frequency.Mean() * 8760
	// Without a valid hazard, hazard-specific keys are not checked: the
	// hazard's own message says what to fix.
	hazardOK := t.required("hazard")
	in.Hazard = Hazard(t.enum("hazard", "", HazardNames()...))
	hazardOK = hazardOK && in.Hazard != ""
	in.Site, in.Domain = -1, -1
	if t.required("site") {
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

func readProfile(r *reader, path, name string, v any) *Profile {
	t := r.table(path, v)
	p := &Profile{Name: name}
	flat := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 1
		}
		return x
	}
	if _, ok := v.(map[string]any); !ok {
		normalise(r, path, flat(24), p.Hourly[:])
		normalise(r, path, flat(7), p.Weekly[:])
		return p
	}
	// After a wrong element a count would mislead, so it is checked only
	// when the values themselves were fine.
	hasH := t.required("hourly")
	n := len(r.issues)
	h := t.floats("hourly")
	badH := len(r.issues) > n
	n = len(r.issues)
	w := t.floats("weekly")
	badW := len(r.issues) > n
	t.done()
	if len(h) != 24 {
		if hasH && !badH {
			r.errf(path+".hourly", "want 24 hourly values (00:00–23:00 local), got %d", len(h))
		}
		h = flat(24)
	}
	if w == nil {
		w = flat(7)
	}
	if len(w) != 7 {
		if !badW {
			r.errf(path+".weekly", "want 7 weekday values (Monday first), got %d", len(w))
		}
		w = flat(7)
	}
	normalise(r, path+".hourly", h, p.Hourly[:])
	normalise(r, path+".weekly", w, p.Weekly[:])
	return p
}

func normalise(r *reader, path string, in []float64, out []float64) {
	mx := 0.0
	for _, x := range in {
		if x < 0 {
			r.errf(path, "values must not be negative")
			return
		}
		mx = max(mx, x)
	}
	if mx == 0 {
		r.errf(path, "values must not all be zero")
		for i := range out {
			out[i] = 1
		}
		return
	}
	for i, x := range in {
		out[i] = x / mx
	}
}

// builtinProfiles are relative demand curves a scenario can name without
// defining: "flat"; "consumer", a messaging/social curve low at 04:00 and
// peaking at 21:00, busier at weekends; and "business", office hours on
// weekdays. Their shapes are assumptions, not measurements.
func builtinProfiles() map[string]*Profile {
	consumer := &Profile{Name: "consumer",
		Hourly: [24]float64{0.45, 0.3, 0.2, 0.15, 0.12, 0.15, 0.3, 0.5, 0.7, 0.8, 0.85, 0.85,
			0.9, 0.85, 0.8, 0.8, 0.8, 0.85, 0.9, 0.95, 0.97, 1, 0.9, 0.7},
		Weekly: [7]float64{0.9, 0.9, 0.9, 0.9, 0.95, 1, 1},
	}
	business := &Profile{Name: "business",
		Hourly: [24]float64{0.1, 0.08, 0.08, 0.08, 0.08, 0.1, 0.2, 0.45, 0.8, 1, 1, 0.95,
			0.8, 0.95, 1, 1, 0.95, 0.8, 0.55, 0.35, 0.25, 0.2, 0.15, 0.12},
		Weekly: [7]float64{1, 1, 1, 1, 1, 0.35, 0.3},
	}
	flat := &Profile{Name: "flat"}
	for i := range flat.Hourly {
		flat.Hourly[i] = 1
	}
	for i := range flat.Weekly {
		flat.Weekly[i] = 1
	}
	return map[string]*Profile{"flat": flat, "consumer": consumer, "business": business}
}
