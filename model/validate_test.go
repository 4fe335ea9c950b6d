package model

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// validBase is a small valid scenario. Every bad case below edits it, so
// the line numbers in the cases refer to these lines (numbered on the
// right) unless an edit adds lines above the problem.
const validBase = `name = "base"
horizon = "7d"

[incident]
hazard = "battery_fire"
site = "alpha"
domain = "a1"
start = 2022-10-15T15:19:00+09:00

[[sites]]
name = "alpha"
repower = { dist = "lognormal", median = "2h", p95 = "6h" }

[sites.fire]
suppression = "sprinkler"

[[sites.domains]]
name = "a1"
servers = 100
neighbours = ["a2"]

[[sites.domains]]
name = "a2"
servers = 100

[[sites]]
name = "beta"

[sites.fire]
suppression = "gas"

[[sites.domains]]
name = "b1"
servers = 200

[[services]]
name = "ctl"
servers = 10
placement = [{ site = "alpha", share = 1.0 }]

[[services]]
name = "chat"
mode = "active-standby"
servers = 100
depends_on = ["ctl"]
placement = [
  { site = "alpha", share = 0.5 },
  { site = "beta", share = 0.5 },
]
failover = { auto = "10m", manual = { dist = "lognormal", median = "4h", p95 = "10h" } }
`

// The [[sites]] and [[services]] parts of validBase.
var (
	baseSites    = validBase[strings.Index(validBase, "[[sites]]"):strings.Index(validBase, "[[services]]")]
	baseServices = validBase[strings.Index(validBase, "[[services]]"):]
)

// Lines of validBase, for the cases below.
const (
	lnName        = 1
	lnHorizon     = 2
	lnIncident    = 4
	lnHazard      = 5
	lnIncDomain   = 7
	lnStart       = 8
	lnSite0       = 10
	lnRepower     = 12
	lnFire0       = 14
	lnDom0        = 17
	lnDom0Servers = 19
	lnNeighbours  = 20
	lnDom1Name    = 23
	lnSite1Name   = 27
	lnFire1Supp   = 30
	lnSvc0        = 36
	lnSvc0Servers = 38
	lnSvc0Place   = 39
	lnSvc1Name    = 42
	lnSvc1Mode    = 43
	lnSvc1Depends = 45
	lnSvc1Place   = 46
	lnSvc1Place0  = 47
	lnSvc1Place1  = 48
	lnFailover    = 50
	lnEnd         = 51 // first line after the base
)

// edit replaces the only occurrence of old in src by new; a case whose
// edit no longer applies fails instead of silently testing the base.
type edit struct{ old, new string }

func applyEdits(t *testing.T, src string, edits []edit) string {
	t.Helper()
	for _, e := range edits {
		if n := strings.Count(src, e.old); n != 1 {
			t.Fatalf("edit %q matches %d times in the base", e.old, n)
		}
		src = strings.Replace(src, e.old, e.new, 1)
	}
	return src
}

// want is one expected issue. A message starting with "~" is matched as a
// substring; otherwise it must match exactly.
type want struct {
	path string
	line int
	msg  string
}

func (w want) matches(is Issue) bool {
	if is.Path != w.path || is.Line != w.line {
		return false
	}
	if m, ok := strings.CutPrefix(w.msg, "~"); ok {
		return strings.Contains(is.Msg, m)
	}
	return is.Msg == w.msg
}

// issuesOf parses src and returns its issues (nil when it is valid).
func issuesOf(t *testing.T, src string) []Issue {
	t.Helper()
	_, err := Parse("test.toml", []byte(src))
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Parse returned %T, want *ValidationError: %v", err, err)
	}
	for _, is := range ve.Issues {
		if is.File != "test.toml" {
			t.Errorf("issue %v names file %q", is, is.File)
		}
	}
	return ve.Issues
}

// checkIssues asserts that got holds exactly the wanted issues, in order.
func checkIssues(t *testing.T, got []Issue, wants []want) {
	t.Helper()
	ok := len(got) == len(wants)
	for i := 0; ok && i < len(wants); i++ {
		ok = wants[i].matches(got[i])
	}
	if ok {
		return
	}
	var b strings.Builder
	b.WriteString("got:\n")
	for _, is := range got {
		fmt.Fprintf(&b, "  {%q, %d, %q},\n", is.Path, is.Line, is.Msg)
	}
	b.WriteString("want:\n")
	for _, w := range wants {
		fmt.Fprintf(&b, "  {%q, %d, %q},\n", w.path, w.line, w.msg)
	}
	t.Error(b.String())
}

func TestValidBaseIsValid(t *testing.T) {
	if got := issuesOf(t, validBase); got != nil {
		checkIssues(t, got, nil)
	}
}

func TestScenarioFilesAreValid(t *testing.T) {
	files, err := filepath.Glob("../scenarios/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, dir := range []string{"examples", "validation"} {
		more, _ := filepath.Glob(filepath.Join("../scenarios", dir, "*.toml"))
		if len(more) == 0 {
			t.Errorf("no scenarios in scenarios/%s", dir)
		}
		files = append(files, more...)
	}
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// badCases are malformed scenarios and exactly what the validator says
// about each.
var badCases = []struct {
	name  string
	edits []edit
	want  []want
}{
	// TOML syntax.
	{"syntax error", []edit{{"servers = 10\n", "servers = = 10\n"}},
		[]want{{"", lnSvc0Servers, "~TOML syntax: "}}},
	{"unterminated string", []edit{{`name = "beta"`, `name = "beta`}},
		[]want{{"", lnSite1Name, "~TOML syntax: "}}},

	// Unknown keys, with suggestions.
	{"unknown top-level key", []edit{{`horizon = "7d"`, `horizn = "7d"`}},
		[]want{{"horizn", lnHorizon, `unknown key "horizn" (did you mean "horizon"?)`}}},
	{"unknown key far from any known one", []edit{{`horizon = "7d"`, `horizon = "7d"` + "\ncolour = 3"}},
		[]want{{"colour", lnHorizon + 1, `unknown key "colour"`}}},
	{"unknown key in second site", []edit{{`name = "beta"`, `name = "beta"` + "\nzone_cutoff = true"}},
		[]want{{"sites[1].zone_cutoff", lnSite1Name + 1, `unknown key "zone_cutoff" (did you mean "zone_cutoffs"?)`}}},
	{"unknown key in sites.fire of second site", []edit{{`suppression = "gas"`, `supression = "gas"`}},
		[]want{{"sites[1].fire.supression", lnFire1Supp, `unknown key "supression" (did you mean "suppression"?)`}}},
	{"unknown dotted key in a site", []edit{{`name = "beta"`, `name = "beta"` + "\ncooling.thermal_bufer = \"1h\""}},
		[]want{{"sites[1].cooling.thermal_bufer", lnSite1Name + 1, `unknown key "thermal_bufer" (did you mean "thermal_buffer"?)`}}},
	{"unknown key in a service", []edit{{`depends_on = ["ctl"]`, `depend_on = ["ctl"]`}},
		[]want{{"services[1].depend_on", lnSvc1Depends, `unknown key "depend_on" (did you mean "depends_on"?)`}}},
	{"unknown key in an inline distribution", []edit{{`p95 = "6h" }`, `p95 = "6h", p99 = "9h" }`}},
		[]want{{"sites[0].repower.p99", lnRepower, `unknown key "p99" (did you mean "p95"?)`}}},
	{"unknown key in a nested inline distribution", []edit{{`median = "4h", p95 = "10h"`, `median = "4h", p59 = "10h"`}},
		[]want{
			{"services[1].failover.manual.p95", lnFailover, `missing "p95" for a lognormal distribution`},
			{"services[1].failover.manual.p59", lnFailover, `unknown key "p59" (did you mean "p95"?)`},
		}},
	{"unknown key in an inline table inside a multi-line array", []edit{{`{ site = "beta", share = 0.5 }`, `{ site = "beta", share = 0.5, weight = 2 }`}},
		[]want{{"services[1].placement[1].weight", lnSvc1Place1, `unknown key "weight"`}}},
	{"unknown key in a multi-line inline table", []edit{{`failover = { auto = "10m", manual = { dist = "lognormal", median = "4h", p95 = "10h" } }`,
		"failover = {\n  auto = \"10m\",\n  manul = \"4h\",\n}"}},
		[]want{{"services[1].failover.manul", lnFailover + 2, `unknown key "manul" (did you mean "manual"?)`}}},

	// Wrong types.
	{"string for a count", []edit{{"servers = 100\nneighbours", "servers = \"100\"\nneighbours"}},
		[]want{{"sites[0].domains[0].servers", lnDom0Servers, "want a whole number, got a string"}}},
	{"fraction for a count", []edit{{"servers = 100\nneighbours", "servers = 99.5\nneighbours"}},
		[]want{{"sites[0].domains[0].servers", lnDom0Servers, "want a whole number, got 99.5"}}},
	{"number for a duration", []edit{{`horizon = "7d"`, `horizon = 7`}},
		[]want{{"horizon", lnHorizon, `duration 7 has no unit; write e.g. "7h" or "7m"`}}},
	{"number for a duration distribution", []edit{{`repower = { dist = "lognormal", median = "2h", p95 = "6h" }`, `repower = 2.5`}},
		[]want{{"sites[0].repower", lnRepower, `duration 2.5 has no unit; write e.g. "2.5h" or "2.5m"`}}},
	{"number inside a distribution", []edit{{`median = "2h"`, `median = 2`}},
		[]want{{"sites[0].repower.median", lnRepower, `duration 2 has no unit; write e.g. "2h" or "2m"`}}},
	{"string for a boolean", []edit{{`name = "beta"`, `name = "beta"` + "\nzone_cutoffs = \"yes\""}},
		[]want{{"sites[1].zone_cutoffs", lnSite1Name + 1, `want true or false, got a string`}}},
	{"string for a list", []edit{{`depends_on = ["ctl"]`, `depends_on = "ctl"`}},
		[]want{{"services[1].depends_on", lnSvc1Depends, `want an array of strings; write ["ctl"]`}}},
	{"number in a list of names", []edit{{`depends_on = ["ctl"]`, `depends_on = ["ctl", 3]`}},
		[]want{{"services[1].depends_on[1]", lnSvc1Depends, `want a string, got an integer`}}},
	{"table expected", []edit{{"[sites.fire]\nsuppression = \"gas\"\n", "fire = 3\n"}},
		[]want{{"sites[1].fire", lnFire1Supp - 1, `want a table, got an integer`}}},

	// Durations and rates.
	{"duration with unknown unit", []edit{{`horizon = "7d"`, `horizon = "8x"`}},
		[]want{{"horizon", lnHorizon, `duration "8x" has unknown unit "x" (units: s, m, h, d, w)`}}},
	{"duration with a spelled-out unit", []edit{{`horizon = "7d"`, `horizon = "90min"`}},
		[]want{{"horizon", lnHorizon, `duration "90min" has unknown unit "min" (did you mean "m"?) (units: s, m, h, d, w)`}}},
	{"duration with unit first", []edit{{`horizon = "7d"`, `horizon = "h8"`}},
		[]want{{"horizon", lnHorizon, `malformed duration "h8"; write e.g. "90m", "8h" or "3d"`}}},
	{"empty duration", []edit{{`horizon = "7d"`, `horizon = ""`}},
		[]want{{"horizon", lnHorizon, `empty duration; write e.g. "90m", "8h" or "3d"`}}},
	{"duration without unit", []edit{{`horizon = "7d"`, `horizon = "8"`}},
		[]want{{"horizon", lnHorizon, `duration "8" has no unit; write e.g. "8h" or "8m"`}}},
	{"duration second part without unit", []edit{{`horizon = "7d"`, `horizon = "1h30"`}},
		[]want{{"horizon", lnHorizon, `duration "1h30" has no unit; write e.g. "30h" or "30m"`}}},
	{"duration that overflows", []edit{{`horizon = "7d"`, `horizon = "` + strings.Repeat("9", 308) + `w"`}},
		[]want{{"horizon", lnHorizon, "~is too long"}}},
	{"horizon of decades", []edit{{`horizon = "7d"`, `horizon = "5000w"`}},
		[]want{{"horizon", lnHorizon, "at most 10y (87600h): dcsim simulates incidents, not decades"}}},
	{"rate without time unit", []edit{{`name = "beta"`, `name = "beta"` + "\nboot_rate = \"5%\""}},
		[]want{{"sites[1].boot_rate", lnSite1Name + 1, `rate "5%" has no time unit; write e.g. "0.002/yr", "5%/yr" or "2000/h"`}}},
	{"rate with unknown time unit", []edit{{`name = "beta"`, `name = "beta"` + "\nboot_rate = \"3/fortnight\""}},
		[]want{{"sites[1].boot_rate", lnSite1Name + 1, `rate "3/fortnight" has unknown time unit "fortnight" (units: s, min, h, d, w, yr)`}}},
	{"rate as a number", []edit{{`name = "beta"`, `name = "beta"` + "\nboot_rate = 200"}},
		[]want{{"sites[1].boot_rate", lnSite1Name + 1, `want a rate such as "0.002/yr" or "2000/h", got an integer`}}},
	{"rate with misspelt unit", []edit{{`name = "beta"`, `name = "beta"` + "\nboot_rate = \"200/hr/h\""}},
		[]want{{"sites[1].boot_rate", lnSite1Name + 1, `rate "200/hr/h" has unknown time unit "hr/h" (units: s, min, h, d, w, yr)`}}},
	{"zero boot rate", []edit{{`name = "beta"`, `name = "beta"` + "\nboot_rate = \"0/h\""}},
		[]want{{"sites[1].boot_rate", lnSite1Name + 1, `must be positive`}}},
	{"failure rates in the wrong unit", []edit{{`suppression = "gas"`, "suppression = \"gas\"\n[sites.failures]\nserver_afr = \"1/s\""}},
		[]want{{"sites[1].failures", lnFire1Supp + 1, `failure rates give 1.21e+08 independent failures per replication at site "beta" (7.2e+05/h over 168h); at most 1e+06: check the units ("3%/yr" is per server per year)`}}},

	// Distributions.
	{"distribution without dist", []edit{{`repower = { dist = "lognormal", median = "2h", p95 = "6h" }`, `repower = { median = "2h", p95 = "6h" }`}},
		[]want{{"sites[0].repower.dist", lnRepower, `missing "dist" (one of const, exponential, lognormal, weibull, uniform, triangular)`}}},
	{"unknown distribution", []edit{{`dist = "lognormal", median = "2h"`, `dist = "lognormel", median = "2h"`}},
		[]want{{"sites[0].repower.dist", lnRepower, `"lognormel" is not one of const, exponential, lognormal, weibull, uniform, triangular (did you mean "lognormal"?)`}}},
	{"lognormal p95 below median", []edit{{`median = "2h", p95 = "6h"`, `median = "6h", p95 = "2h"`}},
		[]want{{"sites[0].repower.p95", lnRepower, `lognormal needs 0 < median ≤ p95 (median 6, p95 2)`}}},
	{"lognormal without median", []edit{{`median = "2h", p95 = "6h"`, `p95 = "6h"`}},
		[]want{{"sites[0].repower.median", lnRepower, `missing "median" for a lognormal distribution`}}},
	{"uniform max below min", []edit{{`repower = { dist = "lognormal", median = "2h", p95 = "6h" }`, `repower = { dist = "uniform", min = "3h", max = "1h" }`}},
		[]want{{"sites[0].repower.max", lnRepower, `max (1) is below min (3)`}}},
	{"triangular mode outside range", []edit{{`repower = { dist = "lognormal", median = "2h", p95 = "6h" }`, `repower = { dist = "triangular", min = "1h", mode = "5h", max = "3h" }`}},
		[]want{{"sites[0].repower.mode", lnRepower, `triangular needs min ≤ mode ≤ max (got 1, 5, 3)`}}},
	{"weibull with zero shape", []edit{{`repower = { dist = "lognormal", median = "2h", p95 = "6h" }`, `repower = { dist = "weibull", shape = 0, scale = "3h" }`}},
		[]want{{"sites[0].repower.shape", lnRepower, `weibull needs shape > 0, got 0`}}},
	{"weibull with malformed scale reported once", []edit{{`repower = { dist = "lognormal", median = "2h", p95 = "6h" }`, `repower = { dist = "weibull", shape = 1.5, scale = "3" }`}},
		[]want{{"sites[0].repower.scale", lnRepower, `duration "3" has no unit; write e.g. "3h" or "3m"`}}},
	{"exponential with zero mean", []edit{{`repower = { dist = "lognormal", median = "2h", p95 = "6h" }`, `repower = { dist = "exponential", mean = "0h" }`}},
		[]want{{"sites[0].repower.mean", lnRepower, `mean must be positive`}}},
	{"fraction above one", []edit{{`suppression = "sprinkler"`, "suppression = \"sprinkler\"\ndestroyed_fraction = { dist = \"uniform\", min = 0.5, max = 1.5 }"}},
		[]want{{"sites[0].fire.destroyed_fraction", lnFire0 + 2, `fractions must lie between 0 and 1`}}},
	{"fraction as a constant lognormal above one", []edit{{`suppression = "sprinkler"`, "suppression = \"sprinkler\"\ndestroyed_fraction = { dist = \"lognormal\", median = 2, p95 = 2 }"}},
		[]want{{"sites[0].fire.destroyed_fraction", lnFire0 + 2, `fractions must lie between 0 and 1`}}},
	{"negative fraction", []edit{{`suppression = "sprinkler"`, "suppression = \"sprinkler\"\ndestroyed_fraction = -0.1"}},
		[]want{{"sites[0].fire.destroyed_fraction", lnFire0 + 2, `fractions must lie between 0 and 1`}}},

	// Probabilities, counts, shares.
	{"probability above one", []edit{{`suppression = "sprinkler"`, "suppression = \"sprinkler\"\nspread_probability = 1.5"}},
		[]want{{"sites[0].fire.spread_probability", lnFire0 + 2, `probability must be between 0 and 1, got 1.5`}}},
	{"percentage above 100", []edit{{`suppression = "sprinkler"`, "suppression = \"sprinkler\"\nsuppression_success = \"150%\""}},
		[]want{{"sites[0].fire.suppression_success", lnFire0 + 2, `probability must be between 0 and 1, got 1.5`}}},
	{"negative probability", []edit{{`suppression = "sprinkler"`, "suppression = \"sprinkler\"\nspread_probability = -0.2"}},
		[]want{{"sites[0].fire.spread_probability", lnFire0 + 2, `probability must be between 0 and 1, got -0.2`}}},
	{"NaN probability", []edit{{`suppression = "sprinkler"`, "suppression = \"sprinkler\"\nspread_probability = nan"}},
		[]want{{"sites[0].fire.spread_probability", lnFire0 + 2, `probability must be between 0 and 1, got NaN`}}},
	{"malformed percentage", []edit{{`suppression = "sprinkler"`, "suppression = \"sprinkler\"\nspread_probability = \"half\""}},
		[]want{{"sites[0].fire.spread_probability", lnFire0 + 2, `want a number between 0 and 1 or a percentage like "5%", got "half"`}}},
	{"negative count", []edit{{"servers = 100\nneighbours", "servers = -5\nneighbours"}},
		[]want{{"sites[0].domains[0].servers", lnDom0Servers, `must not be negative, got -5`}}},
	{"enormous count", []edit{{"servers = 100\nneighbours", "servers = 1e300\nneighbours"}},
		[]want{{"sites[0].domains[0].servers", lnDom0Servers, `is implausibly large (1e+300; at most 2147483647)`}}},
	{"service without servers", []edit{{"servers = 10\n", "servers = 0\n"}},
		[]want{{"services[0].servers", lnSvc0Servers, `must be at least 1`}}},
	{"zero replications", []edit{{`horizon = "7d"`, "horizon = \"7d\"\nreplications = 0"}},
		[]want{{"replications", lnHorizon + 1, `must be at least 1`}}},
	{"negative seed", []edit{{`horizon = "7d"`, "horizon = \"7d\"\nseed = -1"}},
		[]want{{"seed", lnHorizon + 1, `must be a whole number between 0 and 2^64-1 (18446744073709551615), got -1`}}},
	{"shares not adding up", []edit{{`{ site = "beta", share = 0.5 }`, `{ site = "beta", share = 0.4 }`}},
		[]want{{"services[1].placement", lnSvc1Place, `shares of service "chat" add up to 0.9, not 1`}}},
	{"shares not adding up, printed without float noise", []edit{{`{ site = "alpha", share = 0.5 },`, `{ site = "alpha", share = 0.6 },`}, {`{ site = "beta", share = 0.5 }`, `{ site = "beta", share = 0.3 }`}},
		[]want{{"services[1].placement", lnSvc1Place, `shares of service "chat" add up to 0.9, not 1`}}},
	{"zero share", []edit{{`{ site = "alpha", share = 0.5 },`, `{ site = "alpha", share = 1 },`}, {`{ site = "beta", share = 0.5 }`, `{ site = "beta", share = 0 }`}},
		[]want{{"services[1].placement[1].share", lnSvc1Place1, `must be above 0 (leave out a site the service does not use)`}}},
	{"share of the wrong type reported once", []edit{{`{ site = "beta", share = 0.5 }`, `{ site = "beta", share = "half" }`}},
		[]want{
			{"services[1].placement[1].share", lnSvc1Place1, `want a number between 0 and 1 or a percentage like "5%", got "half"`},
		}},
	{"missing share", []edit{{`{ site = "beta", share = 0.5 }`, `{ site = "beta" }`}},
		[]want{{"services[1].placement[1].share", lnSvc1Place1, `missing required key "share"`}}},
	{"share that rounds to no server", []edit{{"servers = 100\ndepends_on", "servers = 1\ndepends_on"}},
		[]want{{"services[1].placement[1].share", lnSvc1Place1, `0.5 of 1 servers rounds to no server at all; give the service more servers or this site a larger share`}}},
	{"single-site service at two sites", []edit{{`placement = [{ site = "alpha", share = 1.0 }]`, `placement = [{ site = "alpha", share = 0.5 }, { site = "beta", share = 0.5 }]`}},
		[]want{{"services[0].placement", lnSvc0Place, `a single-site service is placed at exactly one site (got 2); use mode = "active-standby" or "active-active"`}}},
	{"active-standby service at one site", []edit{{"placement = [\n  { site = \"alpha\", share = 0.5 },\n  { site = \"beta\", share = 0.5 },\n]", "placement = [{ site = \"alpha\", share = 1.0 }]\n\n\n"}},
		[]want{{"services[1].placement", lnSvc1Place, `an active-standby service needs at least two sites`}}},
	{"same site placed twice", []edit{{`{ site = "beta", share = 0.5 }`, `{ site = "alpha", share = 0.5 }`}},
		[]want{{"services[1].placement[1].site", lnSvc1Place1, `site "alpha" is placed twice`}}},
	{"more servers placed than the site holds", []edit{{"servers = 10\n", "servers = 160\n"}},
		[]want{{"sites[0].domains", lnDom0, `services place 210 servers at site "alpha" but its domains hold only 200`}}},
	{"empty placement", []edit{{`placement = [{ site = "alpha", share = 1.0 }]`, `placement = []`}},
		[]want{{"services[0].placement", lnSvc0Place, `service "ctl" needs a placement: [{site = "...", share = 1.0}]`}}},

	// References.
	{"unknown site", []edit{{`placement = [{ site = "alpha", share = 1.0 }]`, `placement = [{ site = "alpa", share = 1.0 }]`}},
		[]want{{"services[0].placement[0].site", lnSvc0Place, `unknown site "alpa" (did you mean "alpha"?)`}}},
	{"empty site name", []edit{{`placement = [{ site = "alpha", share = 1.0 }]`, `placement = [{ site = "", share = 1.0 }]`}},
		[]want{{"services[0].placement[0].site", lnSvc0Place, `unknown site ""`}}},
	{"unknown site in the second element of a multi-line array", []edit{{`{ site = "beta", share = 0.5 }`, `{ site = "bta", share = 0.5 }`}},
		[]want{{"services[1].placement[1].site", lnSvc1Place1, `unknown site "bta" (did you mean "beta"?)`}}},
	{"unknown incident site", []edit{{`site = "alpha"` + "\ndomain", `site = "gamma"` + "\ndomain"}},
		[]want{{"incident.site", lnHazard + 1, `unknown site "gamma"`}}},
	{"unknown incident domain", []edit{{`domain = "a1"`, `domain = "a3"`}},
		[]want{{"incident.domain", lnIncDomain, `unknown domain "a3" in site "alpha" (did you mean "a1"?)`}}},
	{"empty incident domain", []edit{{`domain = "a1"`, `domain = ""`}},
		[]want{{"incident.domain", lnIncDomain, `unknown domain "" in site "alpha"`}}},
	{"unknown service", []edit{{`depends_on = ["ctl"]`, `depends_on = ["clt"]`}},
		[]want{{"services[1].depends_on[0]", lnSvc1Depends, `unknown service "clt" (did you mean "ctl"?)`}}},
	{"service listed twice", []edit{{`depends_on = ["ctl"]`, `depends_on = ["ctl", "ctl"]`}},
		[]want{{"services[1].depends_on[1]", lnSvc1Depends, `service "ctl" is listed twice`}}},
	{"unknown ops tool", []edit{{`horizon = "7d"`, "horizon = \"7d\"\noperations.ops_tools = [\"ctl\", \"chta\"]"}},
		[]want{{"operations.ops_tools[1]", lnHorizon + 1, `unknown service "chta" (did you mean "chat"?)`}}},
	{"unknown failover requirement", []edit{{`depends_on = ["ctl"]`, `failover_requires = ["ctrl"]`}},
		[]want{{"services[1].failover_requires[0]", lnSvc1Depends, `unknown service "ctrl" (did you mean "ctl"?)`}}},
	{"unknown profile", []edit{{`mode = "active-standby"`, "mode = \"active-standby\"\nprofile = \"consumr\""}},
		[]want{{"services[1].profile", lnSvc1Mode + 1, `unknown profile "consumr" (did you mean "consumer"?) (define it under [profiles.consumr])`}}},
	{"domain neighbouring itself", []edit{{`neighbours = ["a2"]`, `neighbours = ["a1"]`}},
		[]want{{"sites[0].domains[0].neighbours[0]", lnNeighbours, `a domain cannot neighbour itself`}}},
	{"unknown neighbour on the third line of an array", []edit{{`neighbours = ["a2"]`, "neighbours = [\n  \"a2\",\n  \"a4\",\n]"}},
		[]want{{"sites[0].domains[0].neighbours[1]", lnNeighbours + 2, `unknown domain "a4" in site "alpha" (did you mean "a1"?)`}}},
	{"duplicate service names", []edit{{`name = "chat"`, `name = "ctl"`}},
		[]want{{"services[1].name", lnSvc1Name, `duplicate name "ctl" (also services[0])`}}},
	{"duplicate domain names", []edit{{`name = "a2"`, `name = "a1"`}},
		[]want{
			{"sites[0].domains[0].neighbours[0]", lnNeighbours, `unknown domain "a2" in site "alpha" (did you mean "a1"?)`},
			{"sites[0].domains[1].name", lnDom1Name, `duplicate name "a1" (also sites[0].domains[0])`},
		}},
	{"duplicate site names", []edit{{`name = "beta"`, `name = "alpha"`}, {`{ site = "beta", share = 0.5 }`, `{ site = "alpha", share = 0.5 }`}},
		[]want{
			{"sites[1].name", lnSite1Name, `duplicate name "alpha" (also sites[0])`},
			{"services[1].placement[1].site", lnSvc1Place1, `site "alpha" is placed twice`},
		}},
	{"self-dependency", []edit{{"servers = 10\n", "servers = 10\ndepends_on = [\"ctl\"]\n"}},
		[]want{{"services[0].depends_on[0]", lnSvc0Servers + 1, `service "ctl" depends on itself`}}},
	{"dependency cycle", []edit{
		{"servers = 10\n", "servers = 10\ndepends_on = [\"auth\"]\n"},
		{"failover = {", "[[services]]\nname = \"auth\"\nservers = 10\nplacement = [{ site = \"beta\", share = 1.0 }]\ndepends_on = [\"chat\"]\nfailover = {"},
	},
		// ctl → auth → chat → ctl; the edge that closes it is chat's.
		[]want{{"services[1].depends_on", lnSvc1Depends + 1, `dependency cycle: ctl → auth → chat → ctl`}}},

	// Missing keys.
	{"missing name", []edit{{`name = "base"`, `# no name`}},
		[]want{{"name", 0, `missing required key "name"`}}},
	{"no sites", []edit{{baseSites, "\n"}},
		[]want{
			{"sites", 0, `a scenario needs at least one [[sites]] table`},
			{"incident.site", lnHazard + 1, `unknown site "alpha"`},
			{"services[0].placement[0].site", lnSvc0Place - lnSvc0 + lnSite0 + 1, `unknown site "alpha"`},
			{"services[1].placement[0].site", lnSvc1Place0 - lnSvc0 + lnSite0 + 1, `unknown site "alpha"`},
			{"services[1].placement[1].site", lnSvc1Place1 - lnSvc0 + lnSite0 + 1, `unknown site "beta"`},
		}},
	{"no services", []edit{{baseServices, ""}},
		[]want{{"services", 0, `a scenario needs at least one [[services]] table`}}},
	{"missing site name", []edit{{`name = "beta"`, `# no name`}},
		[]want{
			{"sites[1].name", lnSite1Name - 1, `missing required key "name"`},
			{"services[1].placement[1].site", lnSvc1Place1, `unknown site "beta"`},
		}},
	{"missing domain servers", []edit{{"name = \"a2\"\nservers = 100", "name = \"a2\""}},
		[]want{{"sites[0].domains[1].servers", lnDom1Name - 1, `missing required key "servers"`}}},
	{"site without domains", []edit{{"[[sites.domains]]\nname = \"b1\"\nservers = 200\n", ""}, {`{ site = "beta", share = 0.5 }`, `{ site = "alpha", share = 0.5 }`}},
		[]want{
			{"sites[1].domains", lnSite1Name - 1, `site "beta" needs at least one [[sites.domains]] power domain`},
			{"services[1].placement[1].site", lnSvc1Place1 - 3, `site "alpha" is placed twice`},
		}},
	{"missing incident", []edit{{"[incident]\nhazard = \"battery_fire\"\nsite = \"alpha\"\ndomain = \"a1\"\nstart = 2022-10-15T15:19:00+09:00\n", "\n\n\n\n\n"}},
		[]want{{"incident", 0, `missing [incident]: name the initiating event (hazard, site, start)`}}},
	{"missing hazard", []edit{{`hazard = "battery_fire"`, `# hazard`}},
		[]want{{"incident.hazard", lnIncident, `missing required key "hazard"`}}},
	{"unknown hazard", []edit{{`hazard = "battery_fire"`, `hazard = "batery_fire"`}},
		[]want{{"incident.hazard", lnHazard, `"batery_fire" is not one of battery_fire, cooling_loss, lightning, network_partition, power_failure, traffic_surge, utility_loss, water_leak (did you mean "battery_fire"?)`}}},
	{"missing start", []edit{{"start = 2022-10-15T15:19:00+09:00\n", "\n"}},
		[]want{{"incident.start", lnIncident, `missing required key "start"`}}},
	{"missing domain for a fire", []edit{{`domain = "a1"`, `# domain`}},
		[]want{{"incident.domain", lnIncident, `missing required key "domain"`}}},
	{"duration for a fire", []edit{{"start = 2022-10-15T15:19:00+09:00\n", "start = 2022-10-15T15:19:00+09:00\nduration = \"4h\"\n"}},
		[]want{{"incident.duration", lnStart + 1, `a battery fire's course comes from the site's [sites.fire] table; remove duration`}}},
	{"domain for a utility loss", []edit{{`hazard = "battery_fire"`, `hazard = "utility_loss"`}, {"start = 2022-10-15T15:19:00+09:00\n", "start = 2022-10-15T15:19:00+09:00\nduration = \"4h\"\n"}},
		[]want{{"incident.domain", lnIncDomain, `a utility_loss affects the whole site; remove domain`}}},
	{"utility loss without duration", []edit{{`hazard = "battery_fire"`, `hazard = "utility_loss"`}, {`domain = "a1"`, `# no domain`}},
		[]want{{"incident.duration", lnIncident, `a utility_loss needs a duration, e.g. {dist = "lognormal", median = "4h", p95 = "12h"}`}}},
	{"start without offset", []edit{{`start = 2022-10-15T15:19:00+09:00`, `start = "2022-10-15 15:19"`}},
		[]want{{"incident.start", lnStart, `~want a date-time with offset such as 2022-10-15T15:19:00+09:00`}}},
	{"start as a time of day", []edit{{`start = 2022-10-15T15:19:00+09:00`, `start = 15:19:00`}},
		[]want{{"incident.start", lnStart, `a time of day alone has no weekday; write a date and time such as 2022-10-15T15:19:00+09:00`}}},
	{"start as a number", []edit{{`start = 2022-10-15T15:19:00+09:00`, `start = 1665814740`}},
		[]want{{"incident.start", lnStart, `want a date-time such as 2022-10-15T15:19:00+09:00, got an integer`}}},

	// Names and profiles.
	{"empty name", []edit{{`name = "base"`, `name = ""`}},
		[]want{{"name", lnName, `must not be empty`}}},
	{"blank service name", []edit{{`name = "chat"`, `name = " "`}},
		[]want{{"services[1].name", lnSvc1Name, `must not be empty`}}},
	{"name with a slash", []edit{{`name = "base"`, `name = "runs/base"`}},
		[]want{{"name", lnName, `"runs/base": use at most 200 of letters, digits, '-', '_' and '.' (it names the results directory)`}}},
	{"name that climbs out", []edit{{`name = "base"`, `name = ".."`}},
		[]want{{"name", lnName, `"..": use at most 200 of letters, digits, '-', '_' and '.' (it names the results directory)`}}},
	{"profile with 23 hourly values", []edit{{`mode = "active-standby"`, "mode = \"active-standby\"\nprofile = \"night\""},
		{"failover = {", "[profiles.night]\nhourly = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n[[services]]\nname = \"x\"\nservers = 1\nplacement = [{ site = \"beta\", share = 1.0 }]\nfailover = {"}},
		[]want{{"profiles.night.hourly", lnFailover + 2, `want 24 hourly values (00:00–23:00 local), got 23`}}},
	{"profile with a negative value", []edit{{"failover = {", "[profiles.night]\nhourly = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1]\nweekly = [1, 1, 1, 1, 1, 1]\n[[services]]\nname = \"x\"\nservers = 1\nplacement = [{ site = \"beta\", share = 1.0 }]\nfailover = {"}},
		[]want{
			{"profiles.night.hourly", lnFailover + 1, `values must not be negative`},
			{"profiles.night.weekly", lnFailover + 2, `want 7 weekday values (Monday first), got 6`},
		}},

	// Investments (read by invest.go) use the same line index.
	{"investment that breaks the scenario", []edit{{"failover = {", "[[investments]]\nname = \"x\"\n[[investments.patch.services]]\nname = \"chat\"\nmode = \"active-stanby\"\n[[services]]\nname = \"y\"\nservers = 1\nplacement = [{ site = \"beta\", share = 1.0 }]\nfailover = {"}},
		[]want{{"investments[0].patch.services[0].mode", lnFailover + 4, `investment "x" makes the scenario invalid: "active-stanby" is not one of single-site, active-standby, active-active (did you mean "active-standby"?)`}}},

	// Power and failover settings that would break the simulation.
	{"generators needing more than they have", []edit{{"servers = 200\n", "servers = 200\ngenerators = { count = 1, needed = 2 }\n"}},
		[]want{{"sites[1].domains[0].generators.needed", 35, `needs 2 generators but the domain has 1`}}},
	{"generators needing none", []edit{{"servers = 200\n", "servers = 200\ngenerators = { count = 2, needed = 0 }\n"}},
		[]want{{"sites[1].domains[0].generators.needed", 35, `must be at least 1 when the domain has generators (for a domain without generators write count = 0, needed = 0)`}}},
	{"unknown standby", []edit{{`mode = "active-standby"`, "mode = \"active-standby\"\nstandby = \"warn\""}},
		[]want{{"services[1].standby", lnSvc1Mode + 1, `"warn" is not one of hot, warm, cold (did you mean "warm"?)`}}},
	{"unknown mode", []edit{{`mode = "active-standby"`, `mode = "active-stanby"`}},
		[]want{{"services[1].mode", lnSvc1Mode, `"active-stanby" is not one of single-site, active-standby, active-active (did you mean "active-standby"?)`}}},
}

func TestBadScenarios(t *testing.T) {
	if len(badCases) < 35 {
		t.Fatalf("only %d bad cases", len(badCases))
	}
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) {
			src := applyEdits(t, validBase, c.edits)
			checkIssues(t, issuesOf(t, src), c.want)
		})
	}
}

// TestManyProblemsAtOnce checks that every problem in a file is reported
// in one go, sorted by line, whatever order the validator finds them in.
func TestManyProblemsAtOnce(t *testing.T) {
	src := applyEdits(t, validBase, []edit{
		{`horizon = "7d"`, `horizon = "7"`},                                       // 2
		{`domain = "a1"`, `domain = "a9"`},                                        // 7
		{`p95 = "6h" }`, `p95 = "1h" }`},                                          // 12
		{`suppression = "gas"`, `supression = "gas"`},                             // 30
		{`depends_on = ["ctl"]`, `depends_on = ["clt"]`},                          // 45
		{`{ site = "beta", share = 0.5 }`, `{ site = "beta", share = 0.25 }`},     // 48 → 46
		{`manual = { dist = "lognormal"`, `manual = { dist = "lognormal", x = 1`}, // 50
	})
	got := issuesOf(t, src)
	checkIssues(t, got, []want{
		{"horizon", lnHorizon, `duration "7" has no unit; write e.g. "7h" or "7m"`},
		{"incident.domain", lnIncDomain, `unknown domain "a9" in site "alpha" (did you mean "a1"?)`},
		{"sites[0].repower.p95", lnRepower, `lognormal needs 0 < median ≤ p95 (median 2, p95 1)`},
		{"sites[1].fire.supression", lnFire1Supp, `unknown key "supression" (did you mean "suppression"?)`},
		{"services[1].depends_on[0]", lnSvc1Depends, `unknown service "clt" (did you mean "ctl"?)`},
		{"services[1].placement", lnSvc1Place, `shares of service "chat" add up to 0.75, not 1`},
		{"services[1].failover.manual.x", lnFailover, `unknown key "x"`},
	})
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Line < got[j].Line }) {
		t.Errorf("issues not sorted by line: %v", got)
	}
	_, err := Parse("test.toml", []byte(src))
	if n := strings.Count(err.Error(), "\n  test.toml:"); n != len(got) {
		t.Errorf("Error() lists %d issues, want %d:\n%v", n, len(got), err)
	}
	if !strings.HasPrefix(err.Error(), "7 problems in scenario:\n  test.toml:2: horizon: ") {
		t.Errorf("Error() = %q", err)
	}
}

// TestLineIndexAfterTrickyTOML checks line numbers after constructs a
// line-by-line scanner gets wrong: a multi-line string holding what looks
// like headers and keys, a nested array whose lines start with '[', quoted
// keys, and comments holding brackets.
func TestLineIndexAfterTrickyTOML(t *testing.T) {
	src := applyEdits(t, validBase, []edit{
		{`horizon = "7d"`, "horizon = \"7d\"\ndescription = \"\"\"\n[[sites]]\nname = \"zz\"\n  [x]\n\"\"\"\n'literal' = 1 # [[services]]"},
		{`suppression = "gas"`, `"suppression" = "gs"`},
	})
	const shift = 6 // lines added above the fire table
	checkIssues(t, issuesOf(t, src), []want{
		{"literal", lnHorizon + 6, `unknown key "literal"`},
		{"sites[1].fire.suppression", lnFire1Supp + shift, `"gs" is not one of none, sprinkler, water_mist, gas, aerosol (did you mean "gas"?)`},
	})
}

// TestValidVariants checks inputs that look unusual but are valid.
func TestValidVariants(t *testing.T) {
	for name, edits := range map[string][]edit{
		"percent fraction":     {{`suppression = "sprinkler"`, "suppression = \"sprinkler\"\ndestroyed_fraction = \"10%\""}},
		"float count":          {{"servers = 10\n", "servers = 10.0\n"}},
		"compound duration":    {{`horizon = "7d"`, `horizon = "1w2d3h30m"`}},
		"local start":          {{`start = 2022-10-15T15:19:00+09:00`, `start = 2022-10-15T15:19:00`}},
		"string start":         {{`start = 2022-10-15T15:19:00+09:00`, `start = "2022-10-15T15:19:00+09:00"`}},
		"placement tables":     {{`placement = [{ site = "alpha", share = 1.0 }]`, "[[services.placement]]\nsite = \"alpha\"\nshare = 1.0"}},
		"no generators":        {{"servers = 200\n", "servers = 200\ngenerators = { count = 0, needed = 0 }\n"}},
		"utility loss":         {{`hazard = "battery_fire"`, `hazard = "utility_loss"`}, {`domain = "a1"`, `duration = { dist = "exponential", mean = "3h" }`}},
		"multi-line inline":    {{`failover = { auto = "10m", manual = { dist = "lognormal", median = "4h", p95 = "10h" } }`, "failover = {\n  auto = \"10m\",\n  manual = \"4h\",\n}"}},
		"zero-server domain":   {{"servers = 100\nneighbours", "servers = 0\nneighbours"}, {"servers = 10\n", "servers = 1\n"}},
		"triangular in a site": {{`repower = { dist = "lognormal", median = "2h", p95 = "6h" }`, `repower = { dist = "triangular", min = "1h", mode = "1h", max = "3h" }`}},
	} {
		t.Run(name, func(t *testing.T) {
			src := applyEdits(t, validBase, edits)
			checkIssues(t, issuesOf(t, src), nil)
		})
	}
	sc, err := Parse("t.toml", []byte(applyEdits(t, validBase, []edit{{`suppression = "sprinkler"`, "suppression = \"sprinkler\"\ndestroyed_fraction = \"10%\""}})))
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Sites[0].Fire.DestroyedFraction.Mean(); got != 0.1 {
		t.Errorf("destroyed_fraction \"10%%\" = %v, want 0.1", got)
	}
}

// TestLoadReportsIOErrors checks that a missing file is an I/O error, not
// a validation error.
func TestLoadReportsIOErrors(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.toml"))
	var ve *ValidationError
	if err == nil || errors.As(err, &ve) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v", err)
	}
}

// TestUncertainFrequency reads a catalogue frequency written as a
// distribution of rates: its mean is the point frequency, and a bad one is
// reported at its key.
func TestUncertainFrequency(t *testing.T) {
	base := validBase + "\n[[incidents]]\nname = \"f\"\nhazard = \"utility_loss\"\nsite = \"alpha\"\nstart = \"random\"\nduration = \"1h\"\nFREQ\n"
	sc, err := Parse("u.toml", []byte(strings.Replace(base, "FREQ", `frequency = { dist = "uniform", min = "1/yr", max = "3/yr" }`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	in := sc.Incidents[0]
	if !in.Uncertain() || math.Abs(in.PerYear-2) > 1e-9 || math.Abs(in.Frequency.Quantile(0.5)*8760-2) > 1e-9 {
		t.Errorf("uniform 1–3/yr: uncertain %v, per year %v, median %v/yr; want true, 2, 2", in.Uncertain(), in.PerYear, in.Frequency.Quantile(0.5)*8760)
	}
	_, err = Parse("u.toml", []byte(strings.Replace(base, "FREQ", `frequency = { dist = "lognormal", median = "2/yr", p95 = "1/yr" }`, 1)))
	if err == nil || !strings.Contains(err.Error(), "incidents[0].frequency.p95") {
		t.Errorf("p95 below median: want an error at incidents[0].frequency.p95, got %v", err)
	}
	_, err = Parse("u.toml", []byte(strings.Replace(base, "FREQ", `frequency = { dist = "lognormal", median = "2h", p95 = "3h" }`, 1)))
	if err == nil || !strings.Contains(err.Error(), "incidents[0].frequency.median") {
		t.Errorf("a duration for a rate: want an error at incidents[0].frequency.median, got %v", err)
	}
}

// TestPatchIssuePlaces checks that a problem an investment patch causes is
// reported at the patch's own key path and line when the patch wrote the
// value, at the patch element it merges into when the value comes from
// the scenario, and at the patch itself when nothing in it leads there.
func TestPatchIssuePlaces(t *testing.T) {
	src := validBase + `
[[investments]]
name = "bigger"
[[investments.patch.services]]
name = "chat"
servers = 1000
[[investments.patch.services]]
name = "new-svc"
new = true
placement = [{ site = "gamma", share = 1.0 }]
[investments.patch.operations]
restore_crews = 0

[[investments]]
name = "retune"
[[investments.patch.services]]
name = "ctl"
depends_on = ["ctl"]
[[investments.patch.sites]]
name = "alpha"
[investments.patch.sites.fire]
suppresion = "gas"
`
	const inv0, inv1 = lnEnd + 1, lnEnd + 13 // the [[investments]] headers
	mk := `investment "bigger" makes the scenario invalid: `
	rt := `investment "retune" makes the scenario invalid: `
	checkIssues(t, issuesOf(t, src), []want{
		{"investments[0].patch", inv0 + 2, mk + `sites[0].domains: services place 510 servers at site "alpha" but its domains hold only 200`},
		{"investments[0].patch", inv0 + 2, mk + `sites[1].domains: services place 500 servers at site "beta" but its domains hold only 200`},
		{"investments[0].patch.services[1].servers", inv0 + 5, mk + `missing required key "servers"`},
		{"investments[0].patch.services[1].placement[0].site", inv0 + 8, mk + `unknown site "gamma"`},
		{"investments[0].patch.operations.restore_crews", inv0 + 10, mk + "must be at least 1"},
		{"investments[1].patch.services[0].depends_on[0]", inv1 + 4, rt + `service "ctl" depends on itself`},
		{"investments[1].patch.sites[0].fire.suppresion", inv1 + 8, rt + `unknown key "suppresion" (did you mean "suppression"?)`},
	})
}

// TestSeedExact checks that every seed from 0 to 2^64-1 is read exactly:
// integers up to 2^63-1, strings of digits beyond, floats below 2^53.
func TestSeedExact(t *testing.T) {
	for _, c := range []struct {
		toml string
		want uint64
	}{
		{`0`, 0},
		{`9007199254740993`, 1<<53 + 1}, // a float would round it to 2^53
		{`9223372036854775807`, 1<<63 - 1},
		{`"9223372036854775808"`, 1 << 63},
		{`"18446744073709551615"`, 1<<64 - 1},
		{`1e6`, 1_000_000},
		{`9007199254740991.0`, 1<<53 - 1},
	} {
		src := strings.Replace(validBase, `horizon = "7d"`, "horizon = \"7d\"\nseed = "+c.toml, 1)
		sc, err := Parse("seed.toml", []byte(src))
		if err != nil {
			t.Errorf("seed = %s: %v", c.toml, err)
			continue
		}
		if sc.Seed != c.want {
			t.Errorf("seed = %s read as %d, want %d", c.toml, sc.Seed, c.want)
		}
	}
}

// TestVariantIssuePlaces: a portfolio of investments valid alone but
// invalid together is reported at the patch key that breaks it, with its
// line.
func TestVariantIssuePlaces(t *testing.T) {
	src := validBase + `
[[investments]]
name = "smaller"
[[investments.patch.services]]
name = "chat"
servers = 2

[[investments]]
name = "shifted"
[[investments.patch.services]]
name = "chat"
placement = [{ site = "alpha", share = 0.8 }, { site = "beta", share = 0.2 }]
`
	sc, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sc.Variant([]string{"smaller", "shifted"})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Variant: %v, want a ValidationError", err)
	}
	checkIssues(t, ve.Issues, []want{
		{"investments[1].patch.services[0].placement[1].share", lnEnd + 11, "0.2 of 2 servers rounds to no server at all; give the service more servers or this site a larger share"},
	})
}

// TestPatchInheritedIssueOnce checks that a problem of the scenario
// itself, which every patched scenario inherits, is reported once at its
// own place and not again for each investment with a patch, while a
// problem a patch adds is still reported at the patch.
func TestPatchInheritedIssueOnce(t *testing.T) {
	src := strings.Replace(validBase, `horizon = "7d"`, `horizon = "-7d"`, 1) + `
[[investments]]
name = "a"
[investments.patch.operations]
restore_crews = 2

[[investments]]
name = "b"
[investments.patch.operations]
restore_crews = 0
`
	var horizon, patched int
	for _, is := range issuesOf(t, src) {
		switch {
		case strings.Contains(is.Msg, "makes the scenario invalid") && strings.Contains(is.Msg, "horizon"):
			t.Errorf("the scenario's own problem repeated for a patch: %s: %s", is.Path, is.Msg)
		case is.Path == "horizon":
			horizon++
		case is.Path == "investments[1].patch.operations.restore_crews":
			patched++
		}
	}
	if horizon != 1 || patched != 1 {
		t.Errorf("horizon reported %d times, investment b's restore_crews %d times; want 1 and 1", horizon, patched)
	}
}
