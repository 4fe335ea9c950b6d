package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Bounds that keep one fuzz input fast. A scenario that validates must
// finish a replication within fuzzMaxEvents events: the validator bounds
// background failures to 1e6 expected events over the whole horizon, and
// everything else is a handful of events per domain and service.
const (
	fuzzHorizon   = 48.0 // hours simulated per replication
	fuzzMaxEvents = 3_000_000
	fuzzMaxGroups = 20_000 // domains × services
	fuzzMaxRuns   = 4      // incidents and investment variants simulated
)

// FuzzScenario feeds arbitrary bytes to Parse and, when they validate, runs
// replications of the scenario, of each catalogue incident and of each
// investment variant. Nothing may panic or hang; a rejected input must say
// why, with lines inside the file; outcomes must be finite, non-negative and
// the same whether a Replication is fresh or reused.
//
// The seed corpus (testdata/fuzz/FuzzScenario) holds the scenarios of
// ../scenarios, the valid base of validate_test.go and its bad cases.
func FuzzScenario(f *testing.F) {
	files, _ := filepath.Glob("../scenarios/*.toml")
	examples, _ := filepath.Glob("../scenarios/examples/*.toml")
	for _, p := range append(files, examples...) {
		if strings.Contains(p, "groups-1000") {
			continue // a second per run: the fuzzer would spend its time there
		}
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(validBase))
	// A service group and crew schedules, in every form.
	f.Add([]byte(validBase + strings.Replace(groupEntry, "servers = 4", `servers = { dist = "lognormal", median = 2, p95 = 8 }`+"\nspread = \"domain\"", 1)))
	f.Add([]byte(strings.Replace(crewsBase, "restore_crews = 4", `restore_crews = [{ at = "0h", n = 0 }, { at = "2h", n = 3 }]`, 1) +
		"\n" + strings.Replace(groupEntry, "[[services]]", "[[services]]\nrestore = \"1h\"", 1)))
	f.Add([]byte(strings.Replace(validBase, "repower = {", `crews = { from = 1, to = 6, start = "1h", over = "5h" }`+"\nrepower = {", 1)))
	// Uncertain distribution parameters.
	f.Add([]byte(strings.Replace(validBase, `median = "2h", p95 = "6h"`, `median = { dist = "lognormal", median = "2h", p95 = "3h" }, p95 = "6h"`, 1)))
	f.Add([]byte(strings.Replace(validBase, `suppression = "sprinkler"`, `suppression = "sprinkler"
destroyed_fraction = { dist = "triangular", min = { dist = "uniform", min = 0, max = 0.1 }, mode = 0.2, max = { dist = "uniform", min = 0.3, max = 1 } }`, 1)))
	// Hostile inputs: limits broken and constructs left open.
	hostile, _ := filepath.Glob("../cmd/dcsim/testdata/hostile/*.toml")
	for _, p := range hostile {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		sc, err := Parse("fuzz.toml", src)
		if err != nil {
			checkRejected(t, src, err)
			return
		}
		if sc == nil {
			t.Fatal("Parse returned neither a scenario nor an error")
		}
		runs := []*Scenario{sc}
		for k := range sc.Incidents {
			runs = append(runs, sc.WithIncident(k))
		}
		for _, iv := range sc.Investments {
			v, err := sc.Variant([]string{iv.Name})
			if err != nil {
				continue // an overlay that does not validate is reported, not run
			}
			runs = append(runs, v)
		}
		// Every uncertain parameter at both ends of its range: valid or
		// refused, never a panic.
		var keys []string
		var lo, hi []float64
		for _, u := range sc.Uncertain {
			keys, lo, hi = append(keys, u.Key), append(lo, u.Dist.Quantile(0)), append(hi, u.Dist.Quantile(1))
		}
		for _, x := range [][]float64{lo, hi} {
			if len(keys) == 0 {
				break
			}
			if v, err := sc.At(keys, x); err == nil {
				runs = append([]*Scenario{v}, runs...)
			}
		}
		for i, s := range runs {
			if i == fuzzMaxRuns {
				break
			}
			simulate(t, s)
		}
	})
}

// checkRejected checks the error for an input Parse rejected.
func checkRejected(t *testing.T, src []byte, err error) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Parse returned %T, want *ValidationError: %v", err, err)
	}
	if len(ve.Issues) == 0 {
		t.Fatal("ValidationError without issues")
	}
	text := strings.Split(string(src), "\n")
	var idx lineIndex
	for _, is := range ve.Issues {
		if is.Msg == "" {
			t.Errorf("issue without a message: %+v", is)
		}
		if is.Line < 0 || is.Line > len(text) {
			t.Errorf("issue at line %d of a %d-line file: %v", is.Line, len(text), is)
			continue
		}
		if strings.HasPrefix(is.Msg, "TOML syntax") || is.Line == 0 {
			continue
		}
		// A key the file defines is reported at a line that holds it.
		if idx == nil {
			idx = indexLines(string(src))
		}
		key := lastKey(is.Path)
		if ln, ok := idx.exact(is.Path); ok && key != "" && ln == is.Line && !strings.Contains(text[ln-1], key) && !strings.Contains(text[ln-1], `\`) {
			t.Errorf("issue %v is at line %d, which does not hold %q: %q", is, ln, key, text[ln-1])
		}
	}
}

// lastKey is the last key of a key path, or "" when the path ends with an
// array index.
func lastKey(path string) string {
	if strings.HasSuffix(path, "]") {
		return ""
	}
	if i := strings.LastIndexAny(path, ".]"); i >= 0 {
		return path[i+1:]
	}
	return path
}

// keyLines are the lines of validBase that hold one key and its whole
// value, with the key's path, written out by hand so that the line index
// is checked against them rather than against itself.
var keyLines = []struct {
	line int
	key  string
	path string
}{
	{1, "name", "name"}, {2, "horizon", "horizon"},
	{5, "hazard", "incident.hazard"}, {6, "site", "incident.site"}, {7, "domain", "incident.domain"}, {8, "start", "incident.start"},
	{11, "name", "sites[0].name"}, {12, "repower", "sites[0].repower"}, {15, "suppression", "sites[0].fire.suppression"},
	{18, "name", "sites[0].domains[0].name"}, {19, "servers", "sites[0].domains[0].servers"}, {20, "neighbours", "sites[0].domains[0].neighbours"},
	{23, "name", "sites[0].domains[1].name"}, {24, "servers", "sites[0].domains[1].servers"},
	{27, "name", "sites[1].name"}, {30, "suppression", "sites[1].fire.suppression"},
	{33, "name", "sites[1].domains[0].name"}, {34, "servers", "sites[1].domains[0].servers"},
	{37, "name", "services[0].name"}, {38, "servers", "services[0].servers"}, {39, "placement", "services[0].placement"},
	{42, "name", "services[1].name"}, {43, "mode", "services[1].mode"}, {44, "servers", "services[1].servers"},
	{45, "depends_on", "services[1].depends_on"}, {50, "failover", "services[1].failover"},
}

func TestKeyLinesMatchBase(t *testing.T) {
	lines := strings.Split(validBase, "\n")
	for _, kl := range keyLines {
		if !strings.HasPrefix(lines[kl.line-1], kl.key+" = ") {
			t.Errorf("line %d of validBase is %q, not key %q", kl.line, lines[kl.line-1], kl.key)
		}
	}
}

// FuzzKeyLine writes an arbitrary value in place of one key's value in
// validBase and checks that every problem about that key (its path or a
// path inside it) is reported at its line, that every problem reported at
// its line is about it, and that a syntax error is reported there too:
// the rest of the file is valid, so the mistake can only be on that line.
func FuzzKeyLine(f *testing.F) {
	for i, v := range []string{`"x"`, `7`, `[`, `{`, `"""`, `'''`, `[1, 2`, `{ a = 1`, `"unterminated`, `[[1]]`,
		`{ dist = "weibull" }`, `-1`, `"5%"`, `[] x`, `1979-05-27`, `["a2", "a2"]`, `"a1"`, `inf`, `{ auto = [[[[ ]]]] }`,
		`"` + strings.Repeat("x", 300) + `"`} {
		f.Add(uint8(i), v)
	}
	f.Fuzz(func(t *testing.T, k uint8, value string) {
		if strings.ContainsAny(value, "\r\n") {
			return
		}
		kl := keyLines[int(k)%len(keyLines)]
		lines := strings.Split(validBase, "\n")
		lines[kl.line-1] = kl.key + " = " + value
		src := strings.Join(lines, "\n")
		_, err := Parse("fuzz.toml", []byte(src))
		if err == nil {
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("Parse returned %T: %v", err, err)
		}
		for _, is := range ve.Issues {
			about := is.Path == kl.path || strings.HasPrefix(is.Path, kl.path+".") || strings.HasPrefix(is.Path, kl.path+"[")
			syntax := strings.HasPrefix(is.Msg, "TOML syntax")
			switch {
			case (about || syntax) && is.Line != kl.line:
				t.Errorf("%s = %s: issue at line %d, want %d: %v", kl.path, value, is.Line, kl.line, is)
			case is.Line == kl.line && !about && !syntax:
				t.Errorf("%s = %s: issue at its line about another key: %v", kl.path, value, is)
			}
		}
	})
}

// FuzzLargeInputs repeats a fuzzed unit thousands of times between a
// prefix and a suffix, reaching sizes and depths byte-level mutation never
// builds: Parse must refuse or accept them without a crash, with lines
// inside the file, in bounded time.
func FuzzLargeInputs(f *testing.F) {
	f.Add("a = ", "[", uint16(60000), "")
	f.Add("a = ", "[", uint16(8), "1"+strings.Repeat("]", 32))
	f.Add("a = ", "{b = ", uint16(20000), "1")
	f.Add("[", "a.", uint16(10000), "b]")
	f.Add("", "k = 1\n", uint16(60000), "")
	f.Add(validBase, "[[services]]\nname = \"x\"\n", uint16(3000), "")
	f.Add(validBase+"[operations]\n", "ops_tool = 1\n", uint16(1000), "")
	f.Add("x = \"", "\\\"", uint16(50000), "\"")
	f.Add("x = [", "\"a\", ", uint16(60000), "]")
	f.Add(`description = """`, "\\\n", uint16(20000), `"""`)
	f.Fuzz(func(t *testing.T, prefix, unit string, n uint16, suffix string) {
		reps := int(n) * 4
		if len(unit)*reps > 4<<20 {
			reps = (4 << 20) / max(1, len(unit))
		}
		src := prefix + strings.Repeat(unit, reps) + suffix
		start := time.Now()
		_, err := Parse("large.toml", []byte(src))
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("Parse took %v on %d bytes", d, len(src))
		}
		if err != nil {
			checkRejected(t, []byte(src), err)
		}
	})
}

// simulate runs replication 0 of sc on a fresh Replication and again on
// one that has just run replication 1, and checks the outcomes.
func simulate(t *testing.T, sc *Scenario) {
	t.Helper()
	c := *sc
	c.Horizon = math.Min(c.Horizon, fuzzHorizon)
	groups := 0
	for _, s := range c.Sites {
		groups += len(s.Domains) * len(c.Services)
	}
	if groups > fuzzMaxGroups {
		t.Skipf("%d groups: too large to simulate quickly", groups)
	}
	m := Compile(&c)
	var fresh, reused results.Outcome
	run(t, NewReplication(m), &c, 0, &fresh)
	r := NewReplication(m)
	run(t, r, &c, 1, &reused)
	run(t, r, &c, 0, &reused)
	checkOutcome(t, &c, &fresh)
	if !sameOutcome(&fresh, &reused) {
		t.Errorf("replication 0 differs on a reused Replication:\nfresh  %+v\nreused %+v", fresh, reused)
	}
}

// run is Replication.Run with a bound on the number of events, so that a
// replication that would never end fails instead of hanging.
func run(t *testing.T, r *Replication, sc *Scenario, rep int, out *results.Outcome) {
	t.Helper()
	r.Start(sc.Seed, rep)
	eng := r.Engine()
	h := sim.Time(sc.Horizon)
	for n := 0; !eng.Stopped() && eng.Peek() <= h; n++ {
		if n == fuzzMaxEvents {
			t.Fatalf("replication %d still running after %d events at t = %vh", rep, n, eng.Now())
		}
		eng.Step()
	}
	eng.RunUntil(h)
	r.Finish(out)
}

func checkOutcome(t *testing.T, sc *Scenario, o *results.Outcome) {
	t.Helper()
	ok := func(name string, x, hi float64) {
		if !(x >= 0 && x <= hi) {
			t.Errorf("%s = %v, want within [0, %v]", name, x, hi)
		}
	}
	inf := math.Inf(1)
	h := sc.Horizon * (1 + 1e-9)
	for s, so := range o.Services {
		name := sc.Services[s].Name
		ok(name+" time_to_recover_h", so.TimeToRecoverH, h)
		ok(name+" outage_h", so.OutageH, h)
		ok(name+" user_hours_lost", so.UserHoursLost, inf)
		ok(name+" requests_lost", so.RequestsLost, inf)
		ok(name+" revenue_lost", so.RevenueLost, inf)
		ok(name+" data_lost_s", so.DataLostS, inf)
	}
	ok("all_services_recovered_h", o.AllServicesRecoveredH, h)
	ok("hardware_cost", o.HardwareCost, inf)
	ok("loss", o.Loss, inf)
}

func sameOutcome(a, b *results.Outcome) bool {
	if len(a.Services) != len(b.Services) {
		return false
	}
	same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	for s := range a.Services {
		va, vb := a.Services[s].Values(), b.Services[s].Values()
		for k := range va {
			if !same(va[k], vb[k]) {
				return false
			}
		}
	}
	va, vb := a.OverallValues(), b.OverallValues()
	for k := range va {
		if !same(va[k], vb[k]) {
			return false
		}
	}
	return true
}

// TestRandomScenarios simulates scenarios drawn at random from the whole
// schema: byte-level fuzzing rarely turns a valid scenario into another
// valid one, so this explores hazards, modes, dependencies and parameter
// extremes directly. Every generated scenario must validate and simulate
// within the bounds of FuzzScenario.
func TestRandomScenarios(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 50
	}
	rng := rand.New(rand.NewPCG(2022, 1015))
	ext := rand.New(rand.NewPCG(2026, 1201))
	for i := 0; i < n; i++ {
		src := randomScenarioExt(rng, ext)
		sc, err := Parse("random.toml", []byte(src))
		if err != nil {
			t.Fatalf("scenario %d does not validate: %v\n%s", i, err, src)
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			simulate(t, sc)
			if t.Failed() {
				t.Logf("scenario:\n%s", src)
			}
		})
	}
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// randomScenario writes a valid scenario with random structure and
// parameters, including extreme ones (zero delays, certain spread, no
// suppression, tiny crews), from the schema as it was before topology and
// the later hazards: the equivalence test's 400 scenarios are its output.
func randomScenario(rng *rand.Rand) string { return randomScenarioExt(rng, nil) }

// randomScenarioExt is randomScenario with, when ext is non-nil, the keys
// added since drawn from ext (so rng's draws, and the base scenario, stay
// as they were): regions, buildings and halls, A/B feeds, UPS and ATS
// failures, water, confined placements, overload limits, automatic
// failover, the meaning of recovered, and the power_failure, water_leak and
// traffic_surge hazards.
func randomScenarioExt(rng, ext *rand.Rand) string {
	var b strings.Builder
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	xpick := func(xs ...string) string { return xs[ext.IntN(len(xs))] }
	xdur := func() string {
		return xpick(`"0s"`, `"10m"`, `"2h"`, `{ dist = "lognormal", median = "1h", p95 = "6h" }`)
	}
	dur := func() string {
		switch rng.IntN(6) {
		case 0:
			return pick(`"0s"`, `"1s"`, `"10m"`, `"2h"`, `"3d"`)
		case 1:
			m := 0.1 + rng.Float64()*10
			return fmt.Sprintf(`{ dist = "lognormal", median = "%.3fh", p95 = "%.3fh" }`, m, m*(1+rng.Float64()*4))
		case 2:
			lo := rng.Float64() * 5
			return fmt.Sprintf(`{ dist = "uniform", min = "%.3fh", max = "%.3fh" }`, lo, lo+rng.Float64()*5)
		case 3:
			return fmt.Sprintf(`{ dist = "exponential", mean = "%.3fh" }`, 0.01+rng.Float64()*8)
		case 4:
			return fmt.Sprintf(`{ dist = "weibull", shape = %.3f, scale = "%.3fh" }`, 0.3+rng.Float64()*3, 0.01+rng.Float64()*8)
		}
		lo := rng.Float64() * 3
		return fmt.Sprintf(`{ dist = "triangular", min = "%.3fh", mode = "%.3fh", max = "%.3fh" }`, lo, lo+1, lo+1+rng.Float64()*4)
	}
	frac := func() string {
		return pick("0", "1", "0.05", `"30%"`, `{ dist = "uniform", min = 0, max = 0.5 }`, `{ dist = "triangular", min = 0, mode = 0.1, max = 1 }`)
	}
	prob := func() string { return pick("0", "1", "0.5", "0.05", `"95%"`) }

	hazard := pick("battery_fire", "utility_loss", "cooling_loss", "network_partition")
	fmt.Fprintf(&b, "name = \"random\"\nseed = %d\nhorizon = \"%dh\"\nrecovered_threshold = %s\n", rng.IntN(1000), 1+rng.IntN(300), pick("0.5", "0.99", "1"))
	if ext != nil {
		hazard = xpick(hazard, hazard, "power_failure", "water_leak", "traffic_surge", "lightning")
		fmt.Fprintf(&b, "recovered = %q\n", xpick("peak_demand", "capacity"))
	}

	nSite := 1 + rng.IntN(3)
	type site struct {
		name    string
		domains []string
		halls   []string
		used    []string // halls that hold a domain
		trains  []string
	}
	var sites []site
	for p := 0; p < nSite; p++ {
		s := site{name: fmt.Sprintf("s%d", p)}
		fmt.Fprintf(&b, "\n[[sites]]\nname = %q\nzone_cutoffs = %v\ncrews = %d\nboot_rate = \"%d/h\"\nrepower = %s\n",
			s.name, rng.IntN(2) == 0, 1+rng.IntN(4), 1+rng.IntN(500), dur())
		if ext != nil {
			fmt.Fprintf(&b, "region = %q\n[sites.lightning]\ntrip_probability = %s\ncooling_probability = %s\n", xpick("r0", "r1"), xpick("0", "0.5", "1"), xpick("0", "1"))
			fmt.Fprintf(&b, "[sites.water]\ndetection = %s\ndestroyed_fraction = %s\nspread_probability = %s\nspread_delay = %s\ndry_out = %s\ncleaning = %s\n",
				xdur(), xpick("0", "0.1", "1"), xpick("0", "0.5", "1"), xdur(), xdur(), xdur())
		}
		fmt.Fprintf(&b, "[sites.fire]\nsuppression = %q\nsuppression_success = %s\ndetection = %s\nextinguish = %s\nheat_damage = %s\nspread_probability = %s\nspread_delay = %s\npower_cut_probability = %s\npower_cut_delay = %s\ninspection = %s\nreplacement_lead_time = %s\nserver_lead_time = %s\ndestroyed_fraction = %s\n",
			pick("none", "sprinkler", "water_mist", "gas", "aerosol"), prob(), dur(), dur(), dur(), prob(), dur(), prob(), dur(), dur(), dur(), dur(), frac())
		if ext != nil {
			fmt.Fprintf(&b, "reignition_probability = %s\nreignition_delay = %s\naccess_lockout = %s\ncleaning = %s\n", xpick("0", "0.5", "1"), xdur(), xdur(), xdur())
		}
		fmt.Fprintf(&b, "[sites.cooling]\nthermal_buffer = %s\noverheat_destroyed = %s\n", dur(), frac())
		if ext != nil && ext.IntN(2) == 0 {
			fmt.Fprintf(&b, "heat_rate = %s\nunits = %d\nneeded = 2\nshutdown_probability = %s\ndamage_rate = %s\ndamages = [%s]\nunit_failure_rate = %q\nunit_repair = %s\n",
				xpick("1", "30", "600"), 2+ext.IntN(2), xpick("0", "0.5", "1"), xpick("0", "0.5", "10"), xpick(`"storage"`, `"compute", "network"`),
				xpick("0/h", "0.01/h", "1/h"), xdur())
		}
		fmt.Fprintf(&b, "[sites.failures]\nserver_afr = %q\nrack_rate = %q\nrack_size = %d\npdu_rate = %q\npdu_size = %d\nserver_repair = %s\n",
			pick("3%/yr", "0/yr", "50%/yr"), pick("0.01/yr", "0/yr", "1/yr"), 1+rng.IntN(60), pick("0.4/yr", "0/yr", "5/yr"), 1+rng.IntN(1000), dur())
		nDom := 1 + rng.IntN(4)
		for d := 0; d < nDom; d++ {
			s.domains = append(s.domains, fmt.Sprintf("d%d", d))
		}
		for d, dn := range s.domains {
			var nb []string
			for k, other := range s.domains {
				if k != d && rng.IntN(2) == 0 {
					nb = append(nb, fmt.Sprintf("%q", other))
				}
			}
			gens := rng.IntN(3)
			dom := fmt.Sprintf("[[sites.domains]]\nname = %q\nservers = %d\nneighbours = [%s]\nups = { chemistry = %q, ride_through = %s }\ngenerators = { count = %d, needed = %d, fail_to_start = %s, start_time = %s, fuel = %s, refuel_probability = %s }\n",
				dn, 250+rng.IntN(400), strings.Join(nb, ", "), pick("li-ion", "vrla", "nicd", "flywheel"), pick(`"0s"`, `"10m"`, `"1h"`),
				gens, min(gens, 1+rng.IntN(2)), prob(), pick(`"15s"`, `"1h"`), pick(`"1h"`, `"24h"`), prob())
			if ext != nil {
				dom = strings.Replace(dom, " }\ngenerators", ", failure_probability = "+xpick("0", "0.1", "1")+" }\ngenerators", 1)
				if ext.IntN(2) == 0 {
					// The generators table is the domain's last line.
					k := strings.LastIndex(dom, " }\n")
					dom = dom[:k] + ", repair = " + xdur() + dom[k:]
				}
			}
			b.WriteString(dom)
			if ext != nil {
				// Halls h0, h1 in buildings b0 (h0, h1) and b1 (h2) when
				// the site declares buildings.
				if d == 0 {
					s.halls = []string{"h0", "h1", "h2"}[:1+ext.IntN(3)]
				}
				hall := s.halls[ext.IntN(len(s.halls))]
				s.used = append(s.used, hall)
				feeds := xpick(`["A"]`, `["B"]`, `["A", "B"]`)
				for _, t := range []string{"A", "B"} {
					if strings.Contains(feeds, t) && !slices.Contains(s.trains, t) {
						s.trains = append(s.trains, t)
					}
				}
				fmt.Fprintf(&b, "hall = %q\nfeeds = %s\nats = { fail_to_transfer = %s, manual_transfer = %s }\n", hall, feeds, xpick("0", "0.5", "1"), xdur())
			}
		}
		if ext != nil {
			fmt.Fprintf(&b, "[[sites.buildings]]\nname = \"b0\"\nrebuild = %v\nhalls = [%s]\n", ext.IntN(3) > 0, strings.Join(quoteAll(s.halls[:min(2, len(s.halls))]), ", "))
			if len(s.halls) == 3 {
				fmt.Fprintf(&b, "spread_to = [{ building = \"b1\", probability = %s }]\n[[sites.buildings]]\nname = \"b1\"\nhalls = [\"h2\"]\n", xpick("0", "0.5", "1"))
			}
		}
		sites = append(sites, s)
	}

	nSvc := 1 + rng.IntN(5)
	var svcs []string
	for s := 0; s < nSvc; s++ {
		name := fmt.Sprintf("svc%d", s)
		mode := "single-site"
		if nSite > 1 {
			mode = pick("single-site", "active-standby", "active-active")
		}
		var placement []string
		first := rng.IntN(nSite)
		if mode == "single-site" {
			placement = []string{fmt.Sprintf("{ site = %q, share = 1.0 }", sites[first].name)}
		} else {
			second := (first + 1 + rng.IntN(nSite-1)) % nSite
			sh := pick("0.5", "0.25", "0.75")
			placement = []string{
				fmt.Sprintf("{ site = %q, share = %s }", sites[first].name, sh),
				fmt.Sprintf("{ site = %q, share = %s }", sites[second].name, map[string]string{"0.5": "0.5", "0.25": "0.75", "0.75": "0.25"}[sh]),
			}
		}
		var deps, req []string
		for _, other := range svcs {
			if rng.IntN(3) == 0 {
				deps = append(deps, fmt.Sprintf("%q", other))
			}
			if rng.IntN(3) == 0 {
				req = append(req, fmt.Sprintf("%q", other))
			}
		}
		fmt.Fprintf(&b, "\n[[services]]\nname = %q\nkind = %q\npriority = %d\nmode = %q\nstandby = %q\nservers = %d\nutilisation = %s\nretry_surge = %s\nquorum = %s\n",
			name, pick("user", "control"), rng.IntN(100), mode, pick("hot", "warm", "cold"), 4+rng.IntN(40), pick("0.1", "0.6", "1"), pick("1", "1.3", "3"), prob())
		fmt.Fprintf(&b, "placement = [%s]\ndepends_on = [%s]\nfailover_requires = [%s]\ndetection = %s\nreroute = %s\nrestore = %s\nreplication = %q\nreplication_lag = %s\nbackup_interval = %s\npeak_users = %d\nrequests_per_user_hour = %d\nrevenue_per_hour = %d\nprofile = %q\n",
			strings.Join(placement, ", "), strings.Join(deps, ", "), strings.Join(req, ", "), dur(), dur(), dur(),
			pick("none", "sync", "async", "backup"), dur(), pick(`"1h"`, `"24h"`), rng.IntN(100000), rng.IntN(100), rng.IntN(5000), pick("flat", "consumer", "business"))
		if ext != nil {
			fmt.Fprintf(&b, "failover = { automatic = %v, auto = %s, manual = %s, success = %s, warmup = %s, failback_outage = %s }\n", ext.IntN(2) == 0, dur(), dur(), prob(), dur(), pick(`"0s"`, `"10m"`))
			if ext.IntN(2) == 0 {
				fmt.Fprintf(&b, "overload = { limit = %s, shed_delay = %s }\n", xpick("1", "1.2", "3"), xdur())
			}
			if mode != "active-active" && nSite > 1 && ext.IntN(3) == 0 {
				// A site the service is not placed at, if there is one.
				for _, st := range sites {
					if !strings.Contains(strings.Join(placement, " "), fmt.Sprintf("%q", st.name)) {
						fmt.Fprintf(&b, "relocate = { site = %q, lead_time = %s }\n", st.name, xdur())
						break
					}
				}
			}
		} else {
			fmt.Fprintf(&b, "failover = { auto = %s, manual = %s, success = %s, warmup = %s, failback_outage = %s }\n", dur(), dur(), prob(), dur(), pick(`"0s"`, `"10m"`))
		}
		svcs = append(svcs, name)
	}

	fmt.Fprintf(&b, "\n[operations]\ndrilled = %v\ndrill_speedup = %s\nops_tools = [%q]\nops_slowdown = %s\nrestore_crews = %d\n",
		rng.IntN(2) == 0, pick("1", "3"), svcs[rng.IntN(len(svcs))], pick("1", "2", "5"), 1+rng.IntN(4))
	fmt.Fprintf(&b, "\n[economics]\nvalue_per_user_hour = %s\ncompensation_per_user_hour = %s\n", pick("0", "0.5"), pick("0", "1"))

	p := sites[rng.IntN(nSite)]
	start := pick("2022-10-15T15:19:00+09:00", "2024-01-01T00:00:00Z", "2024-06-03T23:59:59-07:00")
	if hazard == "traffic_surge" {
		fmt.Fprintf(&b, "\n[incident]\nhazard = %q\nservices = [%q]\nmultiplier = %s\nstart = %s\nduration = %s\n", hazard, svcs[ext.IntN(len(svcs))], xpick("0.5", "2", `{ dist = "lognormal", median = 2, p95 = 5 }`), start, dur())
		return b.String()
	}
	fmt.Fprintf(&b, "\n[incident]\nhazard = %q\nsite = %q\nstart = %s\n", hazard, p.name, start)
	switch hazard {
	case "battery_fire":
		fmt.Fprintf(&b, "domain = %q\n", p.domains[rng.IntN(len(p.domains))])
	case "power_failure":
		fmt.Fprintf(&b, "duration = %s\ntrains = [%q]\n", dur(), p.trains[ext.IntN(len(p.trains))])
	case "water_leak":
		fmt.Fprintf(&b, "duration = %s\nhalls = [%q]\n", dur(), p.used[ext.IntN(len(p.used))])
	default:
		fmt.Fprintf(&b, "duration = %s\n", dur())
	}
	return b.String()
}
