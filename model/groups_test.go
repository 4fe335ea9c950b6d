package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// groupEntry appends a group of 10 "web" members to validBase, from line
// lnEnd + 1 on.
const groupEntry = `
[[services]]
name = "web"
count = 10
servers = 4
priority = { tiers = [1, 2, 3], weights = [0.2, 0.3, 0.5] }
depends_on = ["ctl"]
placement = [{ site = "beta", share = 1.0 }]
`

const (
	lnGroup         = lnEnd + 1 // [[services]]
	lnGroupCount    = lnEnd + 3
	lnGroupServers  = lnEnd + 4
	lnGroupPriority = lnEnd + 5
	lnGroupPlace    = lnEnd + 7
)

func TestGroupExpands(t *testing.T) {
	sc, err := Parse("test.toml", []byte(validBase+groupEntry))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Services) != 12 || len(sc.Groups) != 1 {
		t.Fatalf("%d services, %d groups; want 12, 1", len(sc.Services), len(sc.Groups))
	}
	g := sc.Groups[0]
	if g.Name != "web" || !slices.Equal(g.Members, []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}) {
		t.Fatalf("group %+v", g)
	}
	var prios []int
	for _, i := range g.Members {
		s := sc.Services[i]
		prios = append(prios, s.Priority)
		if s.Group != "web" || s.Servers != 4 || s.Placement[0].Servers != 4 || len(s.DependsOn) != 1 {
			t.Errorf("member %+v", s)
		}
	}
	// 20%, 30%, 50% of 10 members in contiguous blocks.
	if want := []int{1, 1, 2, 2, 2, 3, 3, 3, 3, 3}; !slices.Equal(prios, want) {
		t.Errorf("priorities %v, want %v", prios, want)
	}
	if sc.Services[2].Name != "web-001" || sc.Services[11].Name != "web-010" {
		t.Errorf("names %q … %q", sc.Services[2].Name, sc.Services[11].Name)
	}
}

// TestGroupSpread checks the sizes a distribution gives: the exact
// quantiles (k+½)/n, spread over members by the stride permutation.
func TestGroupSpread(t *testing.T) {
	src := validBase + strings.Replace(groupEntry, "servers = 4", `servers = { dist = "uniform", min = 0, max = 20 }`, 1)
	sc, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	// n = 10: stride 7 (round(6.18) = 6 shares 2 with 10; 7 does not).
	// Member k gets quantile ((7k mod 10)+½)/10 of U(0, 100), rounded
	// half away from zero: 2q+1 for q = 7k mod 10.
	want := []int{1, 15, 9, 3, 17, 11, 5, 19, 13, 7}
	var got []int
	for _, i := range sc.Groups[0].Members {
		got = append(got, sc.Services[i].Servers)
	}
	if !slices.Equal(got, want) {
		t.Errorf("servers %v, want %v", got, want)
	}
	sorted := slices.Sorted(slices.Values(got))
	for k, v := range sorted {
		if v != 2*k+1 {
			t.Errorf("sorted sizes %v: not the 10 quantiles", sorted)
			break
		}
	}
}

func TestGroupListAndReference(t *testing.T) {
	src := validBase + strings.Replace(groupEntry, "servers = 4", "servers = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", 1) + `
[[services]]
name = "front"
servers = 2
depends_on = ["web"]
placement = [{ site = "beta", share = 1.0 }]
`
	sc, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	front := sc.Services[len(sc.Services)-1]
	if !slices.Equal(front.DependsOn, sc.Groups[0].Members) {
		t.Errorf("front depends on %v, want the group's members %v", front.DependsOn, sc.Groups[0].Members)
	}
	for k, i := range sc.Groups[0].Members {
		if sc.Services[i].Servers != k+1 {
			t.Errorf("member %d has %d servers, want %d", k, sc.Services[i].Servers, k+1)
		}
	}
	if pos := slices.Index(sc.Order, len(sc.Services)-1); pos != len(sc.Order)-1 {
		t.Errorf("front at %d in the order, want last", pos)
	}
}

func TestGroupNamesInBigGroups(t *testing.T) {
	if got := memberName("db", 0, 5); got != "db-001" {
		t.Error(got)
	}
	if got := memberName("db", 1233, 1234); got != "db-1234" {
		t.Error(got)
	}
	for _, n := range []int{1, 2, 3, 10, 100, 997, 1000} {
		s := spreadStride(n)
		seen := map[int]bool{}
		for k := range n {
			seen[k*s%n] = true
		}
		if len(seen) != n {
			t.Errorf("n=%d stride %d is not a permutation", n, s)
		}
	}
}

var groupCases = []struct {
	name  string
	edits []edit
	want  []want
}{
	{"count zero", []edit{{"count = 10", "count = 0"}},
		[]want{{"services[2].count", lnGroupCount, "a group needs at least 1 member"}}},
	{"count too large", []edit{{"count = 10", "count = 1000000"}},
		[]want{{"services[2].count", lnGroupCount, "~at most 20000 members per group"}}},
	{"list of the wrong length", []edit{{"servers = 4", "servers = [1, 2]"}},
		[]want{{"services[2].servers", lnGroupServers, "a list gives one value per member: want 10 values (count), got 2"}}},
	{"list with a zero", []edit{{"servers = 4", "servers = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]"}},
		[]want{{"services[2].servers", lnGroupServers, "every member needs at least 1 server"}}},
	{"fractional priority in a list", []edit{{"priority = { tiers = [1, 2, 3], weights = [0.2, 0.3, 0.5] }", "priority = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1.5]"}},
		[]want{{"services[2].priority[9]", lnGroupPriority, "want a whole number, got 1.5"}}},
	{"weights not matching tiers", []edit{{"weights = [0.2, 0.3, 0.5]", "weights = [0.2, 0.8]"}},
		[]want{{"services[2].priority.weights", lnGroupPriority, "one weight per tier: want 3, got 2"}}},
	{"unknown key in tiers", []edit{{"weights = [0.2, 0.3, 0.5]", "weight = [0.2, 0.3, 0.5]"}},
		[]want{{"services[2].priority.weight", lnGroupPriority, `~unknown key "weight"`}}},
	{"distribution without dist", []edit{{"servers = 4", "servers = { median = 4, p95 = 10 }"}},
		[]want{{"services[2].servers.dist", lnGroupServers, "~missing required key \"dist\""}}},
	{"lognormal with p95 below median", []edit{{"servers = 4", `servers = { dist = "lognormal", median = 8, p95 = 4 }`}},
		[]want{{"services[2].servers.p95", lnGroupServers, "want 0 < median ≤ p95, got median 8, p95 4"}}},
	{"unknown key in a group", []edit{{"count = 10", "count = 10\nreplica_count = 3"}},
		[]want{{"services[2].replica_count", lnGroupCount + 1, `~unknown key "replica_count"`}}},
	{"member name taken by a service", []edit{{`placement = [{ site = "beta", share = 1.0 }]` + "\n", `placement = [{ site = "beta", share = 1.0 }]` + "\n[[services]]\nname = \"web-003\"\nservers = 1\nplacement = [{ site = \"beta\", share = 1.0 }]\n"}},
		[]want{{"services[3].name", lnGroupPlace + 2, `duplicate name "web-003" (also services[2])`}}},
	{"group named like a service", []edit{{`name = "web"`, `name = "chat"`}},
		[]want{{"services[2].name", lnGroup + 1, "~group \"chat\" has the name of service chat"}}},
	{"shares wrong, reported once", []edit{{`placement = [{ site = "beta", share = 1.0 }]` + "\n", `placement = [{ site = "beta", share = 0.5 }]` + "\n"}},
		[]want{{"services[2].placement", lnGroupPlace, `shares of service "web-001" add up to 0.5, not 1`}}},
}

func TestGroupIssues(t *testing.T) {
	for _, c := range groupCases {
		t.Run(c.name, func(t *testing.T) {
			src := applyEdits(t, validBase+groupEntry, c.edits)
			checkIssues(t, issuesOf(t, src), c.want)
		})
	}
}

// TestGroupBounds checks that a few lines cannot make a scenario that
// needs gigabytes: services × domains and the work of checking patched
// investments count a group's members.
func TestGroupBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("name = \"big\"\n[incident]\nhazard = \"battery_fire\"\nsite = \"s\"\ndomain = \"d0\"\nstart = 2022-10-15T15:19:00+09:00\n\n[[sites]]\nname = \"s\"\n")
	for i := range 1001 {
		fmt.Fprintf(&b, "[[sites.domains]]\nname = \"d%d\"\nservers = 100\n", i)
	}
	grp := "[[services]]\nname = \"vm\"\ncount = 20000\nservers = 1\nplacement = [{ site = \"s\", share = 1.0 }]\n"
	src := b.String() + grp
	lnCount := strings.Count(src, "\n") - 2
	checkIssues(t, issuesOf(t, src), []want{{"services[0].count", lnCount, "20000 services × 1001 power domains = 20020000 pools, at most 20000000: every replication holds each pool"}})

	small := strings.Replace(validBase+groupEntry, "count = 10", "count = 19998", 1)
	small = strings.Replace(small, "servers = 4\n", "servers = 1\n", 1)
	small = strings.Replace(small, `[{ site = "beta", share = 1.0 }]`+"\n", `[{ site = "beta", share = 1.0 }]`+"\n", 1)
	small = strings.Replace(small, "servers = 200\n", "servers = 30000\n", 1) // beta's b1 holds the members
	if got := issuesOf(t, small); got != nil {
		t.Fatalf("a group of 20,000 is refused: %v", got)
	}
	for i := range 20 {
		small += fmt.Sprintf("\n[[investments]]\nname = \"i%d\"\ncapex = 1\npatch = { operations = { restore_crews = %d } }\n", i, i+1)
	}
	got := issuesOf(t, small)
	if len(got) != 1 || got[0].Path != "investments" || !strings.Contains(got[0].Msg, "20 investments have a patch") {
		t.Errorf("20 patched investments of 20,000 services: %v", got)
	}
}

// TestSweepKeepsServices checks that a sweep may change a group's members
// (priority tiers, sizes) but not their number: points are compared
// service by service.
func TestSweepKeepsServices(t *testing.T) {
	sc, err := Parse("test.toml", []byte(validBase+groupEntry))
	if err != nil {
		t.Fatal(err)
	}
	ax, err := ParseSweepAxis("services[web].servers=2,4")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := sc.Sweep([]SweepAxis{ax})
	if err != nil || len(pts) != 2 || pts[0].Scenario.Services[5].Servers != 2 {
		t.Fatalf("sweeping a group's servers: %v", err)
	}
	ax, err = ParseSweepAxis("services[web].count=10,20")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Sweep([]SweepAxis{ax}); err == nil || !strings.Contains(err.Error(), "it has 22 services where the scenario has 12") {
		t.Errorf("sweeping a group's count: %v", err)
	}
}

// TestGroupSpreadOverHalls checks spread: members dealt round-robin to the
// halls of their site (and, for a placement confined to a building, to
// that building's halls).
func TestGroupSpreadOverHalls(t *testing.T) {
	edits := append(slices.Clone(campusEdits), edit{"[[services]]\nname = \"ctl\"", groupAtCampus + "\n[[services]]\nname = \"ctl\""})
	src := applyEdits(t, validBase, edits)
	sc, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	// alpha: a1 in hall h1 (B1), a2 in hall B2 (B2's only hall).
	var got [][]int
	for _, i := range sc.Groups[0].Members {
		got = append(got, sc.Services[i].Placement[0].Domains)
	}
	if want := [][]int{{0}, {1}, {0}, {1}, {0}}; !slices.EqualFunc(got, want, slices.Equal[[]int]) {
		t.Errorf("spread = \"hall\": domains %v, want %v", got, want)
	}
	src = strings.Replace(src, `spread = "hall"`, `spread = "domain"`, 1)
	src = strings.Replace(src, `{ site = "alpha", share = 1.0 }] # vm`, `{ site = "alpha", share = 1.0, building = "B1" }] # vm`, 1)
	sc, err = Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range sc.Groups[0].Members {
		if d := sc.Services[i].Placement[0].Domains; !slices.Equal(d, []int{0}) {
			t.Errorf("a placement confined to B1 spread by domain: %v, want [0]", d)
		}
	}
	src = strings.Replace(src, `spread = "domain"`, `spread = "rack"`, 1)
	checkIssues(t, issuesOf(t, src), []want{{"services[0].spread", lnSvc0 + lnCampusShift + 3, `~"rack" is not one of building, hall, domain`}})
}

const groupAtCampus = `[[services]]
name = "vm"
count = 5
spread = "hall"
servers = 2
placement = [{ site = "alpha", share = 1.0 }] # vm
`
