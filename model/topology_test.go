package model

import (
	"slices"
	"testing"
)

// campusSites turns validBase's site alpha into a campus: building B1 with
// halls h1 and h2, building B2 with one hall.
var campusEdits = []edit{
	{"[sites.fire]\nsuppression = \"sprinkler\"\n", "[sites.fire]\nsuppression = \"sprinkler\"\n\n[[sites.buildings]]\nname = \"B1\"\nhalls = [\"h1\", \"h2\"]\n\n[[sites.buildings]]\nname = \"B2\"\n"},
	{"name = \"a1\"\n", "name = \"a1\"\nhall = \"h1\"\n"},
	{"name = \"a2\"\n", "name = \"a2\"\nbuilding = \"B2\"\n"},
}

// Line numbers after campusEdits (7 lines added after line 15, one after
// each domain name).
const (
	lnCampusB1    = 17
	lnCampusA1    = 24 // [[sites.domains]] of a1; its hall is two lines down
	lnCampusShift = 9  // lines added above site beta
)

var topologyCases = []struct {
	name  string
	edits []edit
	want  []want
}{
	{"domain in an unknown hall", []edit{{`hall = "h1"`, `hall = "h3"`}},
		[]want{{"sites[0].domains[0].hall", lnCampusA1 + 2, `unknown hall "h3" in site "alpha" (did you mean "h1"?)`}}},
	{"domain naming a building of two halls", []edit{{`hall = "h1"`, `building = "B1"`}},
		[]want{{"sites[0].domains[0].hall", lnCampusA1, `building "B1" has 2 halls; name the domain's hall`}}},
	{"hall and building that disagree", []edit{{`hall = "h1"`, "hall = \"h1\"\nbuilding = \"B2\""}},
		[]want{{"sites[0].domains[0].building", lnCampusA1 + 3, `hall "h1" is in building "B1", not "B2"`}}},
	{"domain without a hall at a campus", []edit{{"hall = \"h1\"\n", ""}},
		[]want{{"sites[0].domains[0].hall", lnCampusA1, `site "alpha" has 3 halls; name the domain's hall (or building)`}}},
	{"spread to an unknown building", []edit{{"halls = [\"h1\", \"h2\"]\n", "halls = [\"h1\", \"h2\"]\nspread_to = [{ building = \"B3\", probability = 0.2 }]\n"}},
		[]want{{"sites[0].buildings[0].spread_to[0].building", lnCampusB1 + 3, `~unknown building "B3"`}}},
	{"spread without a probability", []edit{{"halls = [\"h1\", \"h2\"]\n", "halls = [\"h1\", \"h2\"]\nspread_to = [{ building = \"B2\" }]\n"}},
		[]want{{"sites[0].buildings[0].spread_to[0].probability", lnCampusB1 + 3, `missing required key "probability"`}}},
	{"placement in an unknown hall", []edit{{`placement = [{ site = "alpha", share = 1.0 }]`, `placement = [{ site = "alpha", share = 1.0, hall = "h9" }]`}},
		[]want{{"services[0].placement[0].hall", lnSvc0Place + lnCampusShift, `unknown hall "h9" in site "alpha" (did you mean "h1"?)`}}},
	{"placement in a hall without room", []edit{{"servers = 10\nplacement = [{ site = \"alpha\", share = 1.0 }]", "servers = 150\nplacement = [{ site = \"alpha\", share = 1.0, hall = \"h1\" }]"}},
		[]want{{"services[0].placement[0]", lnSvc0Place + lnCampusShift, `150 servers confined to 1 domain(s) of site "alpha" that have too little room left (placements confined to part of a site are placed first, in service order)`}}},
	{"placement naming two kinds of part", []edit{{`placement = [{ site = "alpha", share = 1.0 }]`, `placement = [{ site = "alpha", share = 1.0, hall = "h1", building = "B2" }]`}},
		[]want{{"services[0].placement[0].hall", lnSvc0Place + lnCampusShift, `give one of [building hall domains], not both building and hall`}}},
	{"halls for a fire", []edit{{`domain = "a1"`, "domain = \"a1\"\nhalls = [\"h1\"]"}},
		[]want{{"incident.halls", lnIncDomain + 1, `a battery_fire starts in one domain of one site; remove halls`}}},
	{"halls for a partition", []edit{{`hazard = "battery_fire"`, `hazard = "network_partition"`}, {`domain = "a1"`, "halls = [\"h1\"]\nduration = \"1h\""}},
		[]want{{"incident.halls", lnIncDomain, `a network_partition hits whole sites; remove halls`}}},
	{"power failure without trains", []edit{{`hazard = "battery_fire"`, `hazard = "power_failure"`}, {`domain = "a1"`, `duration = "1h"`}},
		[]want{{"incident.trains", lnIncident, `missing required key "trains"`}}},
	{"unknown train", []edit{{`hazard = "battery_fire"`, `hazard = "power_failure"`}, {`domain = "a1"`, "trains = [\"A\"]\nduration = \"1h\""}},
		[]want{{"incident.trains[0]", lnIncDomain, `unknown power train "A" in site "alpha" (trains are named by domains' feeds, or after a domain without feeds)`}}},
	{"trains for a utility loss", []edit{{`hazard = "battery_fire"`, `hazard = "utility_loss"`}, {`domain = "a1"`, "trains = [\"a1\"]\nduration = \"1h\""}},
		[]want{{"incident.trains", lnIncDomain, `a utility_loss does not hit power trains; remove trains`}}},
	{"a feed listed twice", []edit{{"hall = \"h1\"\n", "hall = \"h1\"\nfeeds = [\"A\", \"A\"]\n"}},
		[]want{{"sites[0].domains[0].feeds[1]", lnCampusA1 + 3, `train "A" is listed twice`}}},
	{"overload without a shed delay", []edit{{`placement = [{ site = "alpha", share = 1.0 }]`, "placement = [{ site = \"alpha\", share = 1.0 }]\noverload = { limit = 1.2 }"}},
		[]want{{"services[0].overload.shed_delay", lnSvc0Place + lnCampusShift + 1, `missing required key "shed_delay"`}}},
	{"overload limit below 1", []edit{{`placement = [{ site = "alpha", share = 1.0 }]`, "placement = [{ site = \"alpha\", share = 1.0 }]\noverload = { limit = 0.8, shed_delay = \"1h\" }"}},
		[]want{{"services[0].overload.limit", lnSvc0Place + lnCampusShift + 1, `is offered load over serving capacity at which the service collapses, at least 1; got 0.8`}}},
	{"unknown meaning of recovered", []edit{{`horizon = "7d"`, "horizon = \"7d\"\nrecovered = \"demand\""}},
		[]want{{"recovered", lnHorizon + 1, `~"demand" is not one of peak_demand, capacity`}}},
	{"between for a fire", []edit{{`domain = "a1"`, "domain = \"a1\"\nbetween = [\"alpha\", \"beta\"]"}},
		[]want{{"incident.between", lnIncDomain + 1, `a battery_fire starts in one domain of one site; remove between`}}},
	{"between one region", []edit{{`hazard = "battery_fire"`, `hazard = "network_partition"`}, {"site = \"alpha\"\ndomain = \"a1\"", "between = [\"alpha\"]\nduration = \"1h\""}},
		[]want{{"incident.between", lnIncDomain - 1, `name two regions, e.g. ["east", "west"]`}}},
	{"between and a site", []edit{{`hazard = "battery_fire"`, `hazard = "network_partition"`}, {"domain = \"a1\"", "between = [\"alpha\", \"beta\"]\nduration = \"1h\""}},
		[]want{{"incident.site", lnIncDomain - 1, `a partition between regions hits no site itself; remove site`}}},
	{"cooling units at a site without the thermal model", []edit{{`hazard = "battery_fire"`, `hazard = "cooling_loss"`}, {`domain = "a1"`, "units = 1\nduration = \"1h\""}},
		[]want{{"incident.units", lnIncDomain, `site "alpha" has no per-hall thermal model ([sites.cooling] heat_rate), so it has no cooling units to lose`}}},
	{"trains as a string", []edit{{`hazard = "battery_fire"`, `hazard = "power_failure"`}, {`domain = "a1"`, "trains = \"A\"\nduration = \"1h\""}},
		[]want{{"incident.trains", lnIncDomain, `want an array of strings; write ["A"]`}}},
	{"no trains", []edit{{`hazard = "battery_fire"`, `hazard = "power_failure"`}, {`domain = "a1"`, "trains = []\nduration = \"1h\""}},
		[]want{{"incident.trains", lnIncDomain, `name at least one power train`}}},
	{"unknown region", []edit{{`hazard = "battery_fire"`, `hazard = "network_partition"`}, {"site = \"alpha\"\ndomain = \"a1\"", "region = \"eu\"\nduration = \"1h\""}},
		[]want{{"incident.region", lnIncDomain - 1, `no site is in region "eu"`}}},
}

func TestTopologyValidation(t *testing.T) {
	for _, c := range topologyCases {
		t.Run(c.name, func(t *testing.T) {
			src := applyEdits(t, validBase, append(slices.Clone(campusEdits), c.edits...))
			checkIssues(t, issuesOf(t, src), c.want)
		})
	}
}

// A campus and a scoped incident compile to the halls, buildings, trains
// and domains they name.
func TestTopologyCompiles(t *testing.T) {
	src := applyEdits(t, validBase, append(slices.Clone(campusEdits),
		edit{`hazard = "battery_fire"`, `hazard = "utility_loss"`},
		edit{`domain = "a1"`, "buildings = [\"B2\"]\nduration = \"1h\""},
		edit{`placement = [{ site = "alpha", share = 1.0 }]`, `placement = [{ site = "alpha", share = 1.0, building = "B2" }]`},
	))
	sc, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	alpha := sc.Sites[0]
	if got := []string{alpha.Halls[0].Name, alpha.Halls[1].Name, alpha.Halls[2].Name}; !slices.Equal(got, []string{"h1", "h2", "B2"}) {
		t.Errorf("halls %v", got)
	}
	if alpha.Domains[0].Hall != 0 || alpha.Domains[1].Hall != 2 || !alpha.Declared || alpha.Region != "alpha" {
		t.Errorf("domains in halls %d, %d; declared %v; region %q", alpha.Domains[0].Hall, alpha.Domains[1].Hall, alpha.Declared, alpha.Region)
	}
	if len(sc.Incident.Parts) != 1 || !slices.Equal(sc.Incident.Parts[0], []int{1}) {
		t.Errorf("incident parts %v, want [[1]] (a2, the domain of B2)", sc.Incident.Parts)
	}
	m := Compile(sc)
	ctl := cmpServiceIndex(t, sc, "ctl")
	if n := m.poolTotal[0*m.nSvc+ctl]; n != 0 {
		t.Errorf("ctl confined to B2 has %d servers in a1", n)
	}
	if n := m.poolTotal[1*m.nSvc+ctl]; n != 10 {
		t.Errorf("ctl has %d servers in a2, want 10", n)
	}
	if d := m.incidents[0].doms[0]; !slices.Equal(d, []int{1}) {
		t.Errorf("utility loss hits domains %v, want [1]", d)
	}
	beta := sc.Sites[1]
	if beta.Declared || len(beta.Halls) != 1 || beta.Halls[0].Name != "beta" || !slices.Equal(beta.Trains, []string{"b1"}) {
		t.Errorf("a site without buildings: %+v", beta)
	}
}
