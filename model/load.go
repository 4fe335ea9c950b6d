package model

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/BurntSushi/toml"
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
	return buildAt(file, src, raw, lines, nil)
}

// buildAt is build with the uncertain distribution parameters named in
// values set to them (reader.values).
func buildAt(file string, src []byte, raw map[string]any, lines lineIndex, values map[string]float64) (*Scenario, error) {
	r := &reader{file: file, lines: lines, values: values}
	sc := &Scenario{File: file, Source: src}
	root := r.table("", raw)
	sc.read(root)
	sc.raw, sc.lines = raw, lines
	sc.readCatalogue(root)
	sc.readInvestments(root)
	sc.readObserved(root)
	root.done()
	sc.Uncertain = r.uncertain
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
	sc.Recovered = t.enum("recovered", RecoveredPeakDemand, RecoveredPeakDemand, RecoveredCapacity)
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
	var entries []*table // per service, its [[services]] entry (a group's for its members)
	for e, st := range svcTables {
		if st.has("count") {
			members, ref := readGroup(st, sc.Sites, siteIdx, profiles, len(sc.Services))
			g := ServiceGroup{Name: st.str("name", "")}
			for _, s := range members {
				g.Members = append(g.Members, len(sc.Services))
				sc.Services = append(sc.Services, s)
				refs = append(refs, ref)
				entries = append(entries, st)
				sc.svcEntry = append(sc.svcEntry, e)
			}
			if len(members) > 0 {
				sc.Groups = append(sc.Groups, g)
			}
			continue
		}
		s, ref := readService(st, sc.Sites, siteIdx, profiles)
		sc.Services = append(sc.Services, s)
		refs = append(refs, ref)
		entries = append(entries, st)
		sc.svcEntry = append(sc.svcEntry, e)
	}
	svcTables = entries
	svcIdx := indexServiceNames(r, sc, svcTables)
	for i, st := range svcTables {
		s := &sc.Services[i]
		s.DependsOn = resolveServices(r, st.sub("depends_on"), refs[i].dependsOn, svcIdx, i)
		s.FailoverRequires = resolveServices(r, st.sub("failover_requires"), refs[i].failoverRequires, svcIdx, i)
		s.ManualRequires = resolveServices(r, st.sub("failover")+".manual_requires", refs[i].manualRequires, svcIdx, i)
	}
	sc.checkPlacement(r, svcTables)
	sc.Order = sc.topoOrder(r, svcTables)

	ot := t.child("operations")
	sc.Ops.Drilled = ot.boolean("drilled", false)
	sc.Ops.DrillSpeedup = ot.positive("drill_speedup", 3)
	sc.Ops.OpsTools = resolveServices(r, "operations.ops_tools", ot.items("ops_tools"), svcIdx, -1)
	sc.Ops.OpsSlowdown = ot.positive("ops_slowdown", 2)
	sc.Ops.RestoreCrews, sc.Ops.RestoreCrewSchedule = ot.crews("restore_crews", 4)
	sc.Ops.ControlThreshold = ot.prob("control_plane_threshold", 0.5)
	sc.Ops.MaxFailoverTries = ot.count("max_failover_tries", 3)
	if sc.Ops.MaxFailoverTries < 1 {
		r.errf("operations.max_failover_tries", "must be at least 1")
		sc.Ops.MaxFailoverTries = 1
	}
	sc.Ops.RestoreBandwidth = ot.nonNeg("restore_bandwidth", 0)
	sc.Ops.FailoverStaff = ot.count("failover_staff", 0)
	ot.done()
	sc.KeyServices = resolveServices(r, "key_services", t.items("key_services"), svcIdx, -1)

	et := t.child("economics")
	sc.Economics.ValuePerUserHour = et.uncertainNonNeg("value_per_user_hour", "economics.value_per_user_hour", 0,
		func(sc *Scenario, x float64) { sc.Economics.ValuePerUserHour = x })
	sc.Economics.CompensationPerUserHour = et.uncertainNonNeg("compensation_per_user_hour", "economics.compensation_per_user_hour", 0,
		func(sc *Scenario, x float64) { sc.Economics.CompensationPerUserHour = x })
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
